// A pipeline's live figures as `longhaul run` shows them: `1,234,567 rows (250,000 rows/s), 12 rejects`.
// A figure grows in jumps (a task adds its counts when its turn ends), so its rate is taken over the
// whole step it grows in, from the moment that step was first seen to its latest jump: a window shorter
// than a turn would read zero between jumps.
import type { LiveFigure } from '../../handlers/pipeline';

export interface FigureRates {
  /** Takes the job's figures as read at `now`; `stepSince` is when the job's current step was first seen. */
  update(figures: Readonly<Record<string, number>>, now: number, stepSince: number): void;
  /** Empty until a figure is seen. */
  text(): string;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function figureRates(declared: readonly LiveFigure[]): FigureRates {
  const values = new Map<string, number>();
  const rates = new Map<string, { since: number; perSecond?: number }>();
  return {
    update(figures, now, stepSince) {
      for (const figure of declared) {
        const value = figures[figure.name];
        if (value === undefined) continue;
        const before = values.get(figure.name) ?? 0;
        values.set(figure.name, value);
        if (!figure.rate || value <= before) continue;
        const rate = rates.get(figure.name) ?? { since: stepSince };
        rates.set(figure.name, rate);
        if (now > rate.since) rate.perSecond = (value * 1000) / (now - rate.since);
      }
    },
    text() {
      return declared
        .filter((figure) => values.has(figure.name))
        .map((figure) => {
          const perSecond = rates.get(figure.name)?.perSecond;
          return `${count(values.get(figure.name)!)} ${figure.label}${perSecond === undefined ? '' : ` (${count(perSecond)} ${figure.label}/s)`}`;
        })
        .join(', ');
    },
  };
}
