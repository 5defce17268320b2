/** The karate-club demo's colours, shared by the graph (karate-view.ts) and the page's legend. */

/** Fill of each club, by class id (0 = Mr. Hi, 1 = Officer). */
export const CLUB_COLORS: readonly string[] = ['#2563eb', '#ea580c'];
/** Fill of a member before the first prediction. */
export const UNKNOWN_COLOR = '#b4b4b4';
/** Ring of the two labelled leaders. */
export const LEADER_RING = '#111827';
/** Ring of a member in the wrong club. */
export const WRONG_RING = '#dc2626';
