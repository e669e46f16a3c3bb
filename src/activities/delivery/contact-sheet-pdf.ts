/**
 * The contact sheet as a PDF for printing and mail: each sheet's JPEG placed on a page of A4
 * landscape width, one page per sheet. PDF embeds JPEG as is (DCTDecode), so a dozen lines of
 * structure are all it takes.
 */
const PAGE_WIDTH_PT = 842; // A4 landscape

export interface SheetImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

export function imagePagesPdf(sheets: readonly SheetImage[]): Buffer {
  // Objects 1 and 2 are the catalog and the page tree; each page then takes three: page, image, drawing.
  const pageObject = (i: number) => 3 + i * 3;
  const objects: (string | Buffer)[][] = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    [`<< /Type /Pages /Kids [${sheets.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${sheets.length} >>`],
    ...sheets.flatMap(({ jpeg, width, height }, i) => {
      const pageHeight = Math.round((PAGE_WIDTH_PT * height) / width);
      const drawing = `q ${PAGE_WIDTH_PT} 0 0 ${pageHeight} 0 0 cm /Sheet Do Q`;
      return [
        [`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH_PT} ${pageHeight}] /Resources << /XObject << /Sheet ${pageObject(i) + 1} 0 R >> >> /Contents ${pageObject(i) + 2} 0 R >>`],
        [
          `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
          jpeg,
          '\nendstream',
        ],
        [`<< /Length ${drawing.length} >>\nstream\n${drawing}\nendstream`],
      ];
    }),
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = chunks[0]!.length;
  const offsets: number[] = [];
  const push = (part: string | Buffer) => {
    const chunk = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    chunks.push(chunk);
    size += chunk.length;
  };
  objects.forEach((parts, i) => {
    offsets.push(size);
    push(`${i + 1} 0 obj\n`);
    parts.forEach(push);
    push('\nendobj\n');
  });
  const xref = size;
  push(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(chunks);
}
