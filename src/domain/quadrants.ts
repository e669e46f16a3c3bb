/**
 * The four panels of a 2x2 grid, numbered 1–4 left-to-right, top-to-bottom, as a
 * frame pick names them (`selectFrame {quadrant 1–4}`). Odd sizes give the extra column and row to the right and bottom
 * panels, so the four always tile the image with no gap and no overlap.
 */
export const QUADRANTS = [1, 2, 3, 4] as const;
export type Quadrant = (typeof QUADRANTS)[number];
/** The grid's two rows of panels, top first. */
export const GRID_ROWS: readonly (readonly Quadrant[])[] = [
  [1, 2],
  [3, 4],
];

export interface Bounds {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function quadrantBounds(width: number, height: number, quadrant: Quadrant): Bounds {
  const leftWidth = Math.floor(width / 2);
  const topHeight = Math.floor(height / 2);
  const inRightColumn = quadrant === 2 || quadrant === 4;
  const inBottomRow = quadrant === 3 || quadrant === 4;
  return {
    left: inRightColumn ? leftWidth : 0,
    top: inBottomRow ? topHeight : 0,
    width: inRightColumn ? width - leftWidth : leftWidth,
    height: inBottomRow ? height - topHeight : topHeight,
  };
}
