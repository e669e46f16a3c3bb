import type { TextRun } from '../media/svg-text.js';

/**
 * The contact sheet as a PDF for printing, mail and search: each sheet's JPEG placed on a page of
 * A4 landscape width, with the sheet's words laid over it as invisible text (render mode 3, as
 * scanned documents carry their OCR) so a reader can search and copy ids, timecodes and prompts.
 * PDF embeds JPEG as is (DCTDecode), so a few dozen lines of structure are all it takes.
 */
const PAGE_WIDTH_PT = 842; // A4 landscape

export interface SheetPage {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The words on the picture, in its pixels. */
  text: readonly TextRun[];
}

export interface DocumentInfo {
  title: string;
  subject: string;
  keywords: string;
  creator: string;
  createdAt: string;
}

/** Catalog, page tree, the two standard fonts and the info dictionary come first; each page then takes three objects. */
const FIRST_PAGE_OBJECT = 6;

export function imagePagesPdf(pages: readonly SheetPage[], info: DocumentInfo): Buffer {
  const pageObject = (i: number) => FIRST_PAGE_OBJECT + i * 3;
  const objects: (string | Buffer)[][] = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    [`<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>'],
    [infoDictionary(info)],
    ...pages.flatMap(({ jpeg, width, height, text }, i) => {
      const pageHeight = Math.round((PAGE_WIDTH_PT * height) / width);
      const drawing = `q ${PAGE_WIDTH_PT} 0 0 ${pageHeight} 0 0 cm /Sheet Do Q\n${textLayer(text, PAGE_WIDTH_PT / width, pageHeight)}`;
      return [
        [
          `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH_PT} ${pageHeight}] ` +
            `/Resources << /XObject << /Sheet ${pageObject(i) + 1} 0 R >> /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObject(i) + 2} 0 R >>`,
        ],
        [
          `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
          jpeg,
          '\nendstream',
        ],
        [`<< /Length ${Buffer.byteLength(drawing, 'latin1')} >>\nstream\n${drawing}\nendstream`],
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
  push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(chunks);
}

/** Invisible text at each run's baseline, scaled from the picture's pixels to points (PDF's y runs upwards). */
function textLayer(runs: readonly TextRun[], scale: number, pageHeight: number): string {
  const lines = runs.map(({ x, y, text, size, bold }) => {
    const at = `${(x * scale).toFixed(2)} ${(pageHeight - y * scale).toFixed(2)}`;
    return `BT /${bold ? 'F2' : 'F1'} ${(size * scale).toFixed(2)} Tf 3 Tr 1 0 0 1 ${at} Tm ${pdfLiteral(text)} Tj ET`;
  });
  return lines.join('\n');
}

/** The characters WinAnsi (the standard fonts' encoding) places outside Latin-1's positions. */
const WIN_ANSI_EXTRAS: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99,
};

/** A string in the page's text: WinAnsi bytes, `?` for what the standard fonts cannot show, PDF's three specials escaped. */
function pdfLiteral(text: string): string {
  let bytes = '';
  for (const ch of text) bytes += String.fromCharCode(WIN_ANSI_EXTRAS[ch] ?? (isLatin1Printable(ch.codePointAt(0)!) ? ch.codePointAt(0)! : 0x3f));
  return `(${bytes.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function isLatin1Printable(code: number): boolean {
  return (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff);
}

/** Document properties as UTF-16 text strings, so any title or prompt survives. */
function infoDictionary(info: DocumentInfo): string {
  const utf16 = (text: string) => `<FEFF${Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
  const created = `D:${info.createdAt.replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return (
    `<< /Title ${utf16(info.title)} /Subject ${utf16(info.subject)} /Keywords ${utf16(info.keywords)} ` +
    `/Creator ${utf16(info.creator)} /Producer ${utf16(info.creator)} /CreationDate (${created}) >>`
  );
}
