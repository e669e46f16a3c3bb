// Pure data: the dev server, the compose setup script and the tests all read this list,
// so it must stay importable from anywhere (no Node built-ins).

export type RecoilSearchAttributeType = 'Keyword' | 'Double';

export const RECOIL_SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: RecoilSearchAttributeType }> = [
  { name: 'RecoilProject', type: 'Keyword' },
  { name: 'RecoilEpisode', type: 'Keyword' },
  { name: 'RecoilSequence', type: 'Keyword' },
  { name: 'RecoilState', type: 'Keyword' },
  { name: 'RecoilCostUsd', type: 'Double' },
];
