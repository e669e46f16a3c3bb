/**
 * The model makes one picture per call, so the four options are asked for as panels of one image;
 * equal panels without borders are what lets quadrant extraction cut them apart cleanly.
 */
export function gridPrompt(prompt: string): string {
  return [
    'Create a single image laid out as a 2x2 grid of four equal panels, with no borders, gaps, labels or text between them.',
    'Each panel is a distinct variant of the same scene: vary composition, camera angle and framing, keep the subject and style.',
    'Every panel must work on its own as the opening frame of a film shot.',
    `Scene: ${prompt}`,
  ].join('\n');
}
