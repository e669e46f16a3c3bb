import { resolve } from 'node:path';
import type { AspectRatio } from '../../../domain/aspect-ratio.js';
import type { UnitElement, UnitImageReference } from '../../../domain/sequence-unit.js';
import type { VideoJob } from '../provider.js';

/** The body of a Kling O3 reference-to-video request, as fal's model page describes it. */
export interface KlingInput {
  multi_prompt: { prompt: string; duration: string }[];
  shot_type: 'customize';
  duration: string;
  aspect_ratio: AspectRatio;
  generate_audio: boolean;
  start_image_url?: string;
  end_image_url?: string;
  elements?: KlingElement[];
  /** Style and location pictures, called @Image1… in the prompts. */
  image_urls?: string[];
}

export interface KlingElement {
  frontal_image_url: string;
  reference_image_urls: string[];
  video_url?: string;
  voice_id?: string;
}

/** Returns the URL fal can fetch a local image or video from (uploading it if needed). */
export type ImageUrlOf = (absolutePath: string) => Promise<string>;

/** Builds the request for one take; image and video paths become uploaded URLs. */
export async function buildKlingInput(job: VideoJob, urlOf: ImageUrlOf): Promise<KlingInput> {
  const { unit, shots } = job;
  const inProject = (path: string) => resolve(unit.projectDir, path);
  const [elements, imageUrls, startImageUrl, endImageUrl] = await Promise.all([
    Promise.all(inElementOrder(unit.elements).map((e) => toKlingElement(e, inProject, urlOf, unit.generateAudio))),
    Promise.all(inImageOrder(unit.imageReferences ?? []).map((r) => urlOf(inProject(r.image)))),
    job.startFramePath ? urlOf(job.startFramePath) : undefined,
    job.endFramePath ? urlOf(job.endFramePath) : undefined,
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
    ...(endImageUrl ? { end_image_url: endImageUrl } : {}),
    ...(elements.length > 0 ? { elements } : {}),
    ...(imageUrls.length > 0 ? { image_urls: imageUrls } : {}),
  };
}

/** Position N in `elements` is what the prompts call @ElementN. */
function inElementOrder(elements: UnitElement[]): UnitElement[] {
  return [...elements].sort((a, b) => a.index - b.index);
}

/** Position N in `image_urls` is what the prompts call @ImageN. */
function inImageOrder(references: UnitImageReference[]): UnitImageReference[] {
  return [...references].sort((a, b) => a.index - b.index);
}

/** A voice goes only with a take that makes sound: without audio, fal has nothing to speak with it. */
async function toKlingElement(element: UnitElement, inProject: (path: string) => string, urlOf: ImageUrlOf, withAudio: boolean): Promise<KlingElement> {
  // The bible allows an element without reference images; the API wants at least one.
  const references = element.referenceImages.length > 0 ? element.referenceImages : [element.frontalImage];
  const [[frontal, ...referenceUrls], videoUrl] = await Promise.all([
    Promise.all([element.frontalImage, ...references].map((p) => urlOf(inProject(p)))),
    element.video ? urlOf(inProject(element.video)) : undefined,
  ]);
  return {
    frontal_image_url: frontal!,
    reference_image_urls: referenceUrls,
    ...(videoUrl ? { video_url: videoUrl } : {}),
    ...(videoUrl && withAudio && element.voiceId ? { voice_id: element.voiceId } : {}),
  };
}
