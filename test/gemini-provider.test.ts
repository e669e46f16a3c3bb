import { ApiError } from '@google/genai';
import { ApplicationFailure } from '@temporalio/activity';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf as failureWithout } from './helpers/failure-of.js';
import { createGeminiGridProvider, type GeminiGridProviderOptions } from '../src/activities/providers/gemini/gemini-grid-provider.js';
import { imageRate } from '../src/domain/price-table.js';
import { requestFailure } from '../src/activities/providers/gemini/request-failure.js';
import { wasNotAccepted } from '../src/activities/providers/provider.js';
import type { GridProvider } from '../src/activities/providers/grid-provider.js';
import { createLocalGridProvider } from '../src/activities/providers/local/local-grid-provider.js';
import { gridResolution, matchesRatio, type AspectRatio } from '../src/domain/aspect-ratio.js';
import { quadrantBounds } from '../src/domain/quadrants.js';
import {
  GEMINI_FAKE_MARKERS,
  GEMINI_FAKE_QUADRANT_COLOURS,
  THOUGHT_IMAGE_SIZE,
  startGeminiFake,
  type GeminiFake,
} from './fakes/gemini-fake.js';
import { shippedPricing } from './helpers/pricing.js';

const PRICING = await shippedPricing();

const KEY = 'AIzaSy-test-key-do-not-print-0123456789';
const failureOf = (call: Promise<unknown>) => failureWithout(call, KEY);

let fake: GeminiFake;
let gemini: GridProvider;
beforeAll(async () => {
  fake = await startGeminiFake({ apiKey: KEY });
  gemini = providerWith({});
});
afterAll(async () => {
  await fake.close();
});

function providerWith(options: Partial<GeminiGridProviderOptions>): GridProvider {
  return createGeminiGridProvider({ apiKey: KEY, baseUrl: fake.baseUrl, model: PRICING.gridModel, rate: PRICING.gridRate, ...options });
}

function grid(prompt: string, aspectRatio: AspectRatio = '16:9', provider = gemini) {
  return provider.generateGrid({ prompt, aspectRatio, seed: 'driver-beware/EP001/SEQ01' });
}

async function pixelAt(png: Buffer, x: number, y: number): Promise<{ r: number; g: number; b: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return { r: data[i]!, g: data[i + 1]!, b: data[i + 2]! };
}

describe('Gemini grid provider against the fake', () => {
  it.each(['16:9', '9:16'] as const)('returns a real %s grid PNG, priced from the IMAGE tokens', async (ratio) => {
    const result = await grid('Rain-soaked highway at night, yellow courier van', ratio);
    const meta = await sharp(result.png).metadata();
    expect(meta.format).toBe('png');
    expect(matchesRatio({ width: meta.width!, height: meta.height! }, ratio)).toBe(true);
    expect(result).toMatchObject({ mimeType: 'image/png', imageTokens: 1290, costUsd: 0.039, model: 'gemini-2.5-flash-image' });
  });

  it("prices a grid at its own model's row of the price table", async () => {
    const model = 'gemini-3-pro-image-preview';
    const pro = providerWith({ model, rate: imageRate(PRICING.table, model)! });
    const result = await grid('A lighthouse at dawn', '16:9', pro);
    expect(fake.requests.at(-1)!.path).toBe(`/v1beta/models/${model}:generateContent`);
    // 1290 IMAGE tokens at $120 per million.
    expect(result).toMatchObject({ imageTokens: 1290, costUsd: 0.155, model });
  });

  it('sends the documented wire request: /v1beta, IMAGE only, the project ratio, the key as a header', async () => {
    const before = fake.requests.length;
    await grid('A lighthouse at dawn', '9:16');
    expect(fake.requests.length).toBe(before + 1);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
    expect(sent.apiKey).toBe(KEY);
    expect(sent.body.generationConfig).toEqual({ responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '9:16' } });
    const text = sent.body.contents?.[0]?.parts?.[0]?.text ?? '';
    expect(text).toContain('A lighthouse at dawn');
    expect(text).toMatch(/2x2 grid/);
  });

  it('skips thought parts and returns the final image', async () => {
    const result = await grid(`A desert road ${GEMINI_FAKE_MARKERS.thoughts}`, '16:9');
    const meta = await sharp(result.png).metadata();
    expect({ width: meta.width, height: meta.height }).not.toEqual(THOUGHT_IMAGE_SIZE);
    expect({ width: meta.width, height: meta.height }).toEqual(gridResolution('16:9'));
    const q4 = quadrantBounds(meta.width!, meta.height!, 4);
    expect(await pixelAt(result.png, q4.left + 5, q4.top + 5)).toEqual(GEMINI_FAKE_QUADRANT_COLOURS[3]);
  });

  it.each([
    ['a blocked prompt', GEMINI_FAKE_MARKERS.blocked, /blocked the prompt \(SAFETY\)/],
    ['an IMAGE_SAFETY finish', GEMINI_FAKE_MARKERS.imageSafety, /IMAGE_SAFETY/],
  ])('%s is a non-retryable ContentPolicy failure a producer can act on', async (_, marker, reason) => {
    const failure = await failureOf(grid(`Something the filter dislikes ${marker}`));
    expect(failure).toMatchObject({ type: 'ContentPolicy', nonRetryable: true });
    expect(failure.message).toMatch(reason);
    expect(failure.message).toMatch(/Rephrase the start_frame prompt/);
  });

  it('400 INVALID_ARGUMENT is non-retryable InvalidInput', async () => {
    const failure = await failureOf(grid(`Bad request ${GEMINI_FAKE_MARKERS.invalidArgument}`));
    expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(failure.message).toContain('INVALID_ARGUMENT');
  });

  it('an unknown model is non-retryable InvalidInput naming the model', async () => {
    const failure = await failureOf(grid('Anything', '16:9', providerWith({ model: 'gemini-9-imaginary' })));
    expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(failure.message).toContain('"gemini-9-imaginary"');
  });

  it('429 RESOURCE_EXHAUSTED is a retryable ProviderUnavailable failure, marked as nothing generated', async () => {
    const failure = await failureOf(grid(`Busy ${GEMINI_FAKE_MARKERS.rateLimited}`));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(wasNotAccepted(failure)).toBe(true);
  });

  it('a cancelled call surfaces as the cancellation, not as a provider failure', async () => {
    const signal = AbortSignal.abort();
    const err = await gemini.generateGrid({ prompt: 'Anything', aspectRatio: '1:1', seed: 's', signal }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ name: 'AbortError' });
  });

  it('an unreachable server is retryable', async () => {
    const gone = await startGeminiFake({ apiKey: KEY });
    await gone.close();
    const failure = await failureOf(grid('Anything', '16:9', providerWith({ baseUrl: gone.baseUrl })));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(wasNotAccepted(failure)).toBe(true);
  });
});

describe('Gemini credentials', () => {
  it('a missing key is a non-retryable Auth failure, refused before anything is sent', async () => {
    const before = fake.requests.length;
    const failure = await failureOf(grid('Anything', '16:9', providerWith({ apiKey: '' })));
    expect(failure).toMatchObject({ type: 'Auth', nonRetryable: true });
    expect(failure.message).toContain('check GEMINI_API_KEY in the worker environment');
    expect(fake.requests.length).toBe(before);
  });

  it('a wrong key (Google answers 400 API_KEY_INVALID) is Auth, not InvalidInput, and is not quoted', async () => {
    const wrongKey = 'AIzaSy-wrong-key-9876543210';
    const failure = await failureOf(grid('Anything', '16:9', providerWith({ apiKey: wrongKey })));
    expect(failure).toMatchObject({ type: 'Auth', nonRetryable: true });
    expect(failure.message).toContain('check GEMINI_API_KEY');
    expect(failure.message).not.toContain(wrongKey);
  });

  it('403 PERMISSION_DENIED is Auth', async () => {
    const failure = await failureOf(grid(`API disabled ${GEMINI_FAKE_MARKERS.permissionDenied}`));
    expect(failure).toMatchObject({ type: 'Auth', nonRetryable: true });
  });

  it('the fake itself refuses a request without the header, with Google\'s envelope', async () => {
    const res = await fetch(`${fake.baseUrl}/v1beta/models/gemini-2.5-flash-image:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('scrubs the key even when an upstream message quotes it', () => {
    const echoed = new ApiError({ status: 400, message: JSON.stringify({ error: { code: 400, message: `bad key ${KEY}`, status: 'INVALID_ARGUMENT' } }) });
    expect(requestFailure(echoed, 'gemini-2.5-flash-image', KEY).message).not.toContain(KEY);
    expect(requestFailure(new Error(`socket closed for ${KEY}`), 'gemini-2.5-flash-image', KEY).message).not.toContain(KEY);
  });
});

describe('local grid provider', () => {
  it('draws a free grid PNG at the size Gemini would return', async () => {
    const result = await grid('A lighthouse at dawn', '9:16', createLocalGridProvider());
    const meta = await sharp(result.png).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'png', ...gridResolution('9:16') });
    expect(result).toMatchObject({ costUsd: 0, mimeType: 'image/png', model: 'local-grid' });
  });
});
