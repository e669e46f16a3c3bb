/** The files of a delivered version, named after the episode. */
export function deliveryFiles(episode: string) {
  return {
    cut: `${episode}_cut.mp4`,
    burnIn: `${episode}_cut_burnin.mp4`,
    otio: `${episode}.otio`,
    otioz: `${episode}.otioz`,
    edl: `${episode}.edl`,
    fcp7: `${episode}_fcp7.xml`,
    fcpx: `${episode}.fcpxml`,
    ale: `${episode}.ale`,
    contactSheet: `${episode}_contact_sheet.png`,
    contactSheetPdf: `${episode}_contact_sheet.pdf`,
    timeline: 'timeline.json',
  };
}

/** The folder of a version that holds its source media, so the version is whole wherever it is copied. */
export const MEDIA_FOLDER = 'media';

/**
 * A take's source as the version holds it: `media/EP001_SEQ01_T01.mov`, a QuickTime file because its
 * timecode track carries the reel there. Every source has its own name (OTIO's bundler and an NLE's
 * relink both go by file name), safe on every file system.
 */
export function deliveredMediaPath(episode: string, sequenceId: string, take: number): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${MEDIA_FOLDER}/${safe(episode)}_${safe(sequenceId)}_T${String(take).padStart(2, '0')}.mov`;
}
