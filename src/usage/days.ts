// Calendar days in the org's time zone. Every zone offset in use is a multiple of 15
// minutes, so the day of any instant equals the day of its 15-minute slot: cache per slot.
const SLOT_MS = 15 * 60 * 1000;

export class DayCalendar {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly cache = new Map<number, string>();

  constructor(readonly timeZone: string) {
    this.fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** 'YYYY-MM-DD' of a millisecond timestamp in this zone. */
  dayOf(ts: number): string {
    const slot = Math.floor(ts / SLOT_MS);
    let day = this.cache.get(slot);
    if (day === undefined) {
      day = this.fmt.format(new Date(slot * SLOT_MS));
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(slot, day);
    }
    return day;
  }
}

/** Adds n days to a 'YYYY-MM-DD' string (calendar arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
