import Fastify, { type FastifyReply } from 'fastify';
import sharp from 'sharp';
import { QUADRANTS, quadrantBounds } from '../../src/domain/quadrants.js';

/**
 * A local stand-in for the Gemini API's generateContent, faithful to the wire:
 * the same paths, headers, JSON shapes and error envelopes, and real PNGs. Scenarios are chosen by
 * a marker anywhere in the prompt text, so the code under test needs no test-only switches.
 */

export const GEMINI_FAKE_MARKERS = {
  /** HTTP 200, `promptFeedback.blockReason: 'SAFETY'`, no candidates. */
  blocked: '[fake:blocked]',
  /** HTTP 200, a candidate with `finishReason: 'IMAGE_SAFETY'` and no image. */
  imageSafety: '[fake:image-safety]',
  /** HTTP 429 RESOURCE_EXHAUSTED. */
  rateLimited: '[fake:429]',
  /** HTTP 429 for the first request with this prompt, then an image. */
  rateLimitedOnce: '[fake:429-once]',
  /** HTTP 400 INVALID_ARGUMENT. */
  invalidArgument: '[fake:400]',
  /** HTTP 403 PERMISSION_DENIED with a valid key, as when the API is disabled for the key's project. */
  permissionDenied: '[fake:403]',
  /** HTTP 200 with words and no image for the first request with this prompt, then an image. */
  textOnce: '[fake:text-once]',
  /** HTTP 200 with words and no image, every time. */
  textOnly: '[fake:text-only]',
  /** The connection is cut after the request is read: the caller cannot know whether an image was made. */
  cut: '[fake:cut]',
  /** A thought text part and a thought image (THOUGHT_IMAGE_SIZE) before the final image. */
  thoughts: '[fake:thoughts]',
} as const;

/** The four solid quadrant colours of every grid, q1–q4 left-to-right, top-to-bottom. */
export const GEMINI_FAKE_QUADRANT_COLOURS = [
  { r: 220, g: 40, b: 40 },
  { r: 40, g: 180, b: 60 },
  { r: 40, g: 80, b: 220 },
  { r: 240, g: 200, b: 30 },
] as const;

/** The thought image is deliberately small and grey, so a parser that picks it is caught. */
export const THOUGHT_IMAGE_SIZE = { width: 256, height: 256 } as const;

export const IMAGE_TOKENS = 1290;

/** gemini-2.5-flash-image 1K output sizes by aspect ratio (vendor docs). */
const SIZES_1K: Record<string, { width: number; height: number }> = {
  '1:1': { width: 1024, height: 1024 },
  '2:3': { width: 832, height: 1248 },
  '3:2': { width: 1248, height: 832 },
  '3:4': { width: 864, height: 1184 },
  '4:3': { width: 1184, height: 864 },
  '4:5': { width: 896, height: 1152 },
  '5:4': { width: 1152, height: 896 },
  '9:16': { width: 768, height: 1344 },
  '16:9': { width: 1344, height: 768 },
  '21:9': { width: 1536, height: 672 },
};

export interface GeminiFakeOptions {
  /** The one key the fake accepts; any other is refused the way Google refuses it. */
  apiKey?: string;
  models?: string[];
}

export interface GeminiFakeRequest {
  path: string;
  model: string;
  /** The x-goog-api-key header (undefined when absent or empty), so a test can check which key was sent. */
  apiKey: string | undefined;
  body: GenerateContentBody;
}

export interface GeminiFake {
  /** Pass as `httpOptions.baseUrl` (or GOOGLE_GEMINI_BASE_URL). */
  baseUrl: string;
  /** Every generateContent call received, in order, including refused ones. */
  requests: GeminiFakeRequest[];
  close(): Promise<void>;
}

interface Part {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType: string; data: string };
}

interface GenerateContentBody {
  contents?: { role?: string; parts?: Part[] }[];
  generationConfig?: { responseModalities?: string[]; imageConfig?: { aspectRatio?: string } };
}

export const DEFAULT_FAKE_API_KEY = 'fake-gemini-key';

export async function startGeminiFake(options: GeminiFakeOptions = {}): Promise<GeminiFake> {
  const acceptedKey = options.apiKey ?? DEFAULT_FAKE_API_KEY;
  const models = new Set(options.models ?? ['gemini-2.5-flash-image', 'gemini-3-pro-image-preview']);
  const requests: GeminiFakeRequest[] = [];
  /** Prompts a once-only marker already answered, so the next request with them succeeds. */
  const seenBefore = new Set<string>();
  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `The requested URL ${request.url} was not found on this server.`, 'NOT_FOUND'),
  );

  app.post<{ Params: { modelAction: string }; Body: GenerateContentBody }>(
    '/v1beta/models/:modelAction',
    async (request, reply) => {
      const [model = '', action] = request.params.modelAction.split(':');
      // An empty header is what the SDK sends when given no key: it counts as none.
      const apiKey = headerValue(request.headers['x-goog-api-key']) || undefined;
      const body = request.body ?? {};
      requests.push({ path: request.url, model, apiKey, body });

      if (apiKey === undefined) {
        return sendError(
          reply,
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          'PERMISSION_DENIED',
        );
      }
      // Google answers a wrong key with 400, not 401: clients must read the reason to tell it from bad input.
      if (apiKey !== acceptedKey) {
        return sendError(reply, 400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
        ]);
      }
      if (action !== 'generateContent' || !models.has(model)) {
        return sendError(
          reply,
          404,
          `models/${model} is not found for API version v1beta, or is not supported for ${action ?? 'this method'}. Call ListModels to see the list of available models and their supported methods.`,
          'NOT_FOUND',
        );
      }
      return generateContent(reply, body, seenBefore);
    },
  );

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { baseUrl: address, requests, close: () => app.close() };
}

async function generateContent(reply: FastifyReply, body: GenerateContentBody, seenBefore: Set<string>): Promise<unknown> {
  const prompt = promptText(body);
  const has = (marker: string) => prompt.includes(marker);
  const promptTokenCount = Math.max(1, Math.ceil(prompt.length / 4));

  if (has(GEMINI_FAKE_MARKERS.permissionDenied)) {
    return sendError(reply, 403, 'Generative Language API has not been used in this project before or it is disabled.', 'PERMISSION_DENIED');
  }
  const firstTime = !seenBefore.has(prompt);
  seenBefore.add(prompt);
  if (has(GEMINI_FAKE_MARKERS.cut)) {
    reply.raw.destroy();
    return reply;
  }
  const limitedOnce = has(GEMINI_FAKE_MARKERS.rateLimitedOnce) && firstTime;
  if (has(GEMINI_FAKE_MARKERS.rateLimited) || limitedOnce) {
    return sendError(reply, 429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED');
  }
  const aspectRatio = body.generationConfig?.imageConfig?.aspectRatio ?? '1:1';
  const size = SIZES_1K[aspectRatio];
  if (has(GEMINI_FAKE_MARKERS.invalidArgument) || !size) {
    return sendError(reply, 400, 'Request contains an invalid argument.', 'INVALID_ARGUMENT');
  }
  if (has(GEMINI_FAKE_MARKERS.blocked)) {
    return {
      promptFeedback: { blockReason: 'SAFETY', safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] },
      usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
      modelVersion: 'gemini-2.5-flash-image',
    };
  }
  if (has(GEMINI_FAKE_MARKERS.imageSafety)) {
    return {
      candidates: [{ finishReason: 'IMAGE_SAFETY', index: 0 }],
      usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
      modelVersion: 'gemini-2.5-flash-image',
    };
  }
  // Without IMAGE in the modalities the real model answers in words only; now and then it does anyway.
  const wordsOnly = has(GEMINI_FAKE_MARKERS.textOnly) || (has(GEMINI_FAKE_MARKERS.textOnce) && firstTime);
  const wantsImage = !wordsOnly && (body.generationConfig?.responseModalities?.includes('IMAGE') ?? false);
  const parts: Part[] = [];
  if (has(GEMINI_FAKE_MARKERS.thoughts)) {
    parts.push({ text: 'Planning four variants of the scene…', thought: true });
    parts.push({ inlineData: { mimeType: 'image/png', data: (await thoughtImage()).toString('base64') }, thought: true });
  }
  if (wantsImage) parts.push({ inlineData: { mimeType: 'image/png', data: (await gridImage(size)).toString('base64') } });
  else parts.push({ text: 'I can describe the grid, but image output was not requested.' });

  const imageTokens = wantsImage ? IMAGE_TOKENS : 0;
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount,
      candidatesTokenCount: imageTokens,
      totalTokenCount: promptTokenCount + imageTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
      candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: imageTokens }],
    },
    modelVersion: 'gemini-2.5-flash-image',
    responseId: `fake-${Date.now().toString(36)}`,
  };
}

function sendError(reply: FastifyReply, code: number, message: string, status: string, details?: unknown[]): FastifyReply {
  return reply.code(code).send({ error: { code, message, status, ...(details ? { details } : {}) } });
}

function promptText(body: GenerateContentBody): string {
  return (body.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function gridImage({ width, height }: { width: number; height: number }): Promise<Buffer> {
  const panels = QUADRANTS.map((q, i) => {
    const b = quadrantBounds(width, height, q);
    return {
      input: { create: { width: b.width, height: b.height, channels: 3 as const, background: GEMINI_FAKE_QUADRANT_COLOURS[i]! } },
      left: b.left,
      top: b.top,
    };
  });
  // Opaque RGB, as Gemini returns: compositing would otherwise add an alpha channel.
  return sharp({ create: { width, height, channels: 3, background: '#000' } }).composite(panels).removeAlpha().png().toBuffer();
}

function thoughtImage(): Promise<Buffer> {
  return sharp({ create: { ...THOUGHT_IMAGE_SIZE, channels: 3, background: '#808080' } }).png().toBuffer();
}
