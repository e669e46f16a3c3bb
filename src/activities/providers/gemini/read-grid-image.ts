import type { GenerateContentResponse } from '@google/genai';
import { ApplicationFailure } from '@temporalio/activity';
import { IMAGELESS } from '../grid-provider.js';

export interface ReadImage {
  png: Buffer;
  mimeType: string;
  imageTokens?: number;
}

/**
 * Why an image model answered 200 without an image, in words a producer can act on. These are
 * refusals: the same prompt would be refused again (and billed again), so they never retry.
 */
const REFUSALS: Record<string, string> = {
  IMAGE_SAFETY: "the picture tripped Gemini's image safety filter",
  IMAGE_PROHIBITED_CONTENT: 'the picture would show content Gemini prohibits',
  IMAGE_RECITATION: 'the picture came out too close to existing copyrighted material',
  IMAGE_OTHER: 'Gemini declined to make the picture',
  NO_IMAGE: 'Gemini made no picture for this prompt',
  SAFETY: "the prompt tripped Gemini's safety filter",
  PROHIBITED_CONTENT: 'the prompt asks for content Gemini prohibits',
};

const REPHRASE = 'Rephrase the start_frame prompt and regenerate the frames.';

/** The final image of the first candidate; thought images are drafts the model discarded. */
export function readGridImage(res: GenerateContentResponse): ReadImage {
  const blockReason = res.promptFeedback?.blockReason;
  if (blockReason && !res.candidates?.length) {
    throw contentPolicy(`Gemini blocked the prompt (${blockReason}). ${REPHRASE}`);
  }
  const candidate = res.candidates?.[0];
  const image = (candidate?.content?.parts ?? []).filter((p) => !p.thought && p.inlineData?.data).at(-1)?.inlineData;
  if (image?.data) {
    return { png: Buffer.from(image.data, 'base64'), mimeType: image.mimeType ?? 'image/png', ...imageTokensOf(res) };
  }
  const finishReason = candidate?.finishReason ?? 'no candidate';
  const refusal = REFUSALS[finishReason];
  if (refusal) {
    const detail = candidate?.finishMessage ? ` Gemini said: ${candidate.finishMessage}` : '';
    throw contentPolicy(`No grid: ${refusal} (${finishReason}).${detail} ${REPHRASE}`);
  }
  // An answer in words alone is a model hiccup rather than a verdict on the prompt: worth one more try.
  throw ApplicationFailure.retryable(`Gemini answered without an image (finish reason: ${finishReason})`, IMAGELESS);
}

function imageTokensOf(res: GenerateContentResponse): { imageTokens?: number } {
  const tokens = res.usageMetadata?.candidatesTokensDetails?.find((d) => d.modality === 'IMAGE')?.tokenCount;
  return tokens === undefined ? {} : { imageTokens: tokens };
}

function contentPolicy(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'ContentPolicy');
}
