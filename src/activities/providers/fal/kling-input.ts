import { resolve } from 'node:path';
import type { AspectRatio } from '../../../domain/aspect-ratio.js';
import type { UnitElement } from '../../../domain/sequence-unit.js';
import type { VideoJob } from '../provider.js';

/** The body of a Kling O3 reference-to-video request, as fal's model page describes it. */
export interface KlingInput {
  multi_prompt: { prompt: string; duration: string }[];
  shot_type: 'customize';
  duration: string;
  aspect_ratio: AspectRatio;
  generate_audio: boolean;
  start_image_url?: string;
  elements?: KlingElement[];
}

export interface KlingElement {
  frontal_image_url: string;
  reference_image_urls: string[];
}

/** Returns the URL fal can fetch a local image from (uploading it if needed). */
export type ImageUrlOf = (absolutePath: string) => Promise<string>;

/** Builds the request for one take; image paths become uploaded URLs. */
export async function buildKlingInput(job: VideoJob, urlOf: ImageUrlOf): Promise<KlingInput> {
  const { unit, shots } = job;
  const [elements, startImageUrl] = await Promise.all([
    Promise.all(inElementOrder(unit.elements).map((e) => toKlingElement(e, unit.projectDir, urlOf))),
    job.startFramePath ? urlOf(job.startFramePath) : undefined,
  ]);
  return {
    // Kling wants durations as strings ("3"…"15"), per shot and in total.
    multi_prompt: shots.map((s) => ({ prompt: s.providerPrompt, duration: String(s.duration) })),
    shot_type: 'customize',
    duration: String(shots.reduce((sum, s) => sum + s.duration, 0)),
    aspect_ratio: unit.aspectRatio,
    // Always explicit: the default differs between model families and audio changes the price.
    generate_audio: unit.generateAudio,
    ...(startImageUrl ? { start_image_url: startImageUrl } : {}),
    ...(elements.length > 0 ? { elements } : {}),
  };
}

/** Position N in `elements` is what the prompts call @ElementN. */
function inElementOrder(elements: UnitElement[]): UnitElement[] {
  return [...elements].sort((a, b) => a.index - b.index);
}

async function toKlingElement(element: UnitElement, projectDir: string, urlOf: ImageUrlOf): Promise<KlingElement> {
  const inProject = (path: string) => resolve(projectDir, path);
  // The bible allows an element without reference images; the API wants at least one.
  const references = element.referenceImages.length > 0 ? element.referenceImages : [element.frontalImage];
  const [frontal, ...referenceUrls] = await Promise.all([element.frontalImage, ...references].map((p) => urlOf(inProject(p))));
  return { frontal_image_url: frontal!, reference_image_urls: referenceUrls };
}
