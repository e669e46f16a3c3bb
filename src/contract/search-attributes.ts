import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed keys of the search attributes registered on the server (src/temporal/search-attributes.ts). */
export const RecoilProject = defineSearchAttributeKey('RecoilProject', SearchAttributeType.KEYWORD);
export const RecoilEpisode = defineSearchAttributeKey('RecoilEpisode', SearchAttributeType.KEYWORD);
export const RecoilSequence = defineSearchAttributeKey('RecoilSequence', SearchAttributeType.KEYWORD);
export const RecoilState = defineSearchAttributeKey('RecoilState', SearchAttributeType.KEYWORD);
export const RecoilCostUsd = defineSearchAttributeKey('RecoilCostUsd', SearchAttributeType.DOUBLE);
