#!/usr/bin/env node
// Writes data/synthetic-cars.csv: a SYNTHETIC stand-in for the UCI Auto MPG table (no network here,
// so the real file cannot be fetched). Same columns, plausible 1970-82 values, made up by the
// formulas below from a fixed seed; the numbers describe no real car.
//
//   origin       USA 60%, Europe 20%, Japan 20%
//   cylinders    USA 4/6/8, Europe and Japan mostly 4 (some 6)
//   displacement cylinders * 38 + N(0, 12) cubic inches
//   horsepower   0.32 * displacement + 35 + N(0, 8); 6 rows have '?' (missing, as in the real file)
//   weight       1400 + 7.5 * displacement + N(0, 180) pounds
//   acceleration 26 - 0.06 * horsepower + N(0, 1.2) seconds to 60 mph
//   model_year   70..82
//   mpg          42 - 0.006 * weight - 0.05 * horsepower + 0.7 * (model_year - 70)
//                + (Europe: 1, Japan: 2.5) + N(0, 1.5), at least 9
//
// Run: node scripts/make-cars-csv.mjs (deterministic: the same file every time).
import { writeFileSync } from 'node:fs';

let state = 20231;
/** mulberry32: a small fixed-seed generator, so the file is reproducible anywhere. */
function uniform() {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal(sd) {
  return sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
const pick = (items, weights) => {
  let u = uniform() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) if ((u -= weights[i]) < 0) return items[i];
  return items.at(-1);
};

const ROWS = 398;
const MISSING_HP = new Set([32, 126, 130, 236, 330, 336]);
const lines = ['mpg,cylinders,displacement,horsepower,weight,acceleration,model_year,origin'];
for (let i = 0; i < ROWS; i++) {
  const origin = pick(['USA', 'Europe', 'Japan'], [6, 2, 2]);
  const cylinders = origin === 'USA' ? pick([4, 6, 8], [3, 3, 4]) : pick([4, 6], [9, 1]);
  const displacement = Math.max(68, cylinders * 38 + normal(12));
  const horsepower = Math.max(46, 0.32 * displacement + 35 + normal(8));
  const weight = Math.max(1600, 1400 + 7.5 * displacement + normal(180));
  const acceleration = Math.max(8, 26 - 0.06 * horsepower + normal(1.2));
  const year = 70 + Math.floor(uniform() * 13);
  const bonus = origin === 'Europe' ? 1 : origin === 'Japan' ? 2.5 : 0;
  const mpg = Math.max(9, 42 - 0.006 * weight - 0.05 * horsepower + 0.7 * (year - 70) + bonus + normal(1.5));
  const hp = MISSING_HP.has(i) ? '?' : horsepower.toFixed(0);
  lines.push([mpg.toFixed(1), cylinders, displacement.toFixed(0), hp, weight.toFixed(0), acceleration.toFixed(1), year, origin].join(','));
}
const out = new URL('../data/synthetic-cars.csv', import.meta.url);
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${ROWS} rows to ${out.pathname}`);
