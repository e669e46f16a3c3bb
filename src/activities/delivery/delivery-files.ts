/** The files of a delivered version, named after the episode. */
export function deliveryFiles(episode: string) {
  return {
    cut: `${episode}_cut.mp4`,
    otio: `${episode}.otio`,
    edl: `${episode}.edl`,
    contactSheet: `${episode}_contact_sheet.png`,
    contactSheetPdf: `${episode}_contact_sheet.pdf`,
    timeline: 'timeline.json',
  };
}
