import { GoogleGenAI } from '@google/genai';
import { ApplicationFailure } from '@temporalio/activity';
import { imageCostUsd, type ImageRate } from '../../../domain/price-table.js';
import type { GridProvider } from '../grid-provider.js';
import { gridPrompt } from './grid-prompt.js';
import { readGridImage } from './read-grid-image.js';
import { API_KEY_HINT, requestFailure } from './request-failure.js';

export interface GeminiGridProviderOptions {
  /** From the worker environment; never logged, stored or quoted in an error. */
  apiKey: string;
  /** The Gemini model id, e.g. 'gemini-2.5-flash-image'. */
  model: string;
  /** The price table's row for that model. */
  rate: ImageRate;
  /** A fake server in tests; absent, the SDK reads GOOGLE_GEMINI_BASE_URL, then Google's own. */
  baseUrl?: string;
}

/** Start-frame grids from a Gemini image model: one paid generateContent call per grid. */
export function createGeminiGridProvider(options: GeminiGridProviderOptions): GridProvider {
  const { apiKey, model, rate } = options;
  // Without a key there is no client: the SDK would warn on the console, then send a keyless request.
  const ai = apiKey.trim()
    ? new GoogleGenAI({
        apiKey,
        // SDK 3.x defaults to /v1, where the image models are not documented.
        apiVersion: 'v1beta',
        ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}),
      })
    : undefined;
  return {
    name: 'gemini',
    async generateGrid({ prompt, aspectRatio, signal }) {
      if (!ai) throw ApplicationFailure.nonRetryable(`No Gemini API key: ${API_KEY_HINT}`, 'Auth');
      const res = await ai.models
        .generateContent({
          model,
          contents: [{ role: 'user', parts: [{ text: gridPrompt(prompt) }] }],
          config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio }, ...(signal ? { abortSignal: signal } : {}) },
        })
        .catch((err: unknown) => {
          // A cancelled activity must surface as the cancellation, not as a provider outage.
          throw signal?.aborted ? err : requestFailure(err, model, apiKey);
        });
      const image = readGridImage(res);
      // Without a reported IMAGE token count, the price table's tokens-per-image stands in.
      return { ...image, costUsd: imageCostUsd(rate, image.imageTokens), model };
    },
  };
}
