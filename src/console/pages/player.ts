import { html } from 'hono/html';
import type { CriticFinding, CriticReport } from '../../domain/critic-report.js';
import type { TakeManifest } from '../../store/takes/take-manifest.js';
import { shotSpans } from '../take-details.js';
import type { Html } from './layout.js';
import { framesPerSecond } from './format.js';

export interface PlayerSource {
  id: string;
  src: string;
  manifest: TakeManifest | undefined;
  durationSec: number;
  critics?: CriticReport;
  muted?: boolean;
}

/** The review player: the console's script wires the keys and draws shots and findings on the timeline. */
export function player(source: PlayerSource): Html {
  const { manifest } = source;
  const fps = framesPerSecond(manifest?.video?.frameRate);
  const duration = manifest?.video?.durationSec ?? source.durationSec;
  const spans = manifest ? shotSpans(manifest) : [];
  const findings = source.critics?.findings ?? [];
  return html`<div class="player" id="${source.id}" data-fps="${fps}" data-duration="${duration}">
  <div class="picture"><video id="${source.id}-video" src="${source.src}" preload="auto" playsinline ${source.muted ? 'muted' : ''}></video><svg class="overlay" data-overlay xmlns="http://www.w3.org/2000/svg" aria-hidden="true"></svg></div>
  <div class="timeline" data-timeline title="click to seek">
    ${spans.map((s) => html`<div class="shot" data-start="${s.startSec}" data-end="${s.endSec}" title="shot ${s.index}: ${s.prompt}"><span>${s.index}</span></div>`)}
    ${findings.map(findingMarks)}
    <div class="range" data-range hidden></div>
    <div class="playhead" data-playhead></div>
  </div>
  <div class="controls">
    <button type="button" data-cmd="back" title="back one frame (←)">⟨</button>
    <button type="button" data-cmd="toggle" class="play" title="play / pause (space, K)">play</button>
    <button type="button" data-cmd="forward" title="forward one frame (→)">⟩</button>
    <button type="button" data-cmd="loop" title="loop (P)" aria-pressed="false">loop</button>
    <span class="rate" data-rate>1×</span>
    <span class="tc" data-timecode>00:00:00:00</span>
    <span class="fn">frame <b data-frame>0</b> / ${manifest?.video?.frameCount ?? Math.round(duration * fps)}</span>
    <span class="fps">${fps.toFixed(fps % 1 ? 3 : 0)} fps</span>
  </div>
</div>`;
}

/**
 * A detector that says where it saw trouble gets a mark per stretch, passing or not: a second of
 * black is worth a look even when the take passes. A failing critic that cannot say where spans the take.
 */
function findingMarks(finding: CriticFinding): Html | Html[] | '' {
  const stretches = finding.stretches ?? [];
  const verdict = finding.ok ? 'passed' : 'failed';
  if (stretches.length > 0) {
    return stretches.map(
      (s) => html`<div class="finding ${verdict}" data-start="${s.startSec}" data-end="${s.endSec}" title="${stretchLabel(finding.critic, s.startSec, s.endSec)}">${finding.critic}</div>`,
    );
  }
  return finding.ok ? '' : html`<div class="finding failed" data-whole title="${finding.critic}: ${finding.message}">${finding.critic}</div>`;
}

/** "black 2.0–3.5 s" */
export function stretchLabel(critic: string, startSec: number, endSec: number): string {
  return `${critic} ${startSec.toFixed(1)}–${endSec.toFixed(1)} s`;
}
