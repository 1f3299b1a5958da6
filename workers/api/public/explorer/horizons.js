// Generated from shared/analysis/horizons.ts by `npm run explorer:horizons`: do not edit (a test fails when it is stale).
// The table's and the tornado's horizons: `days` after the first forecast day (the current date),
// n years being the last day of an n·365-day forecast; null for the forecast's last day.
export const HORIZONS = [
  {"id":"1y","label":"1 year","days":364},
  {"id":"2y","label":"2 years","days":729},
  {"id":"5y","label":"5 years","days":1824},
  {"id":"end","label":"End","days":null},
];
