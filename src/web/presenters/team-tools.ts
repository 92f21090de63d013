// The team page's per-tool part: adoption per tool with where its numbers come from, the
// weekly actives per tool, the tool mix per team and seats assigned vs used.
import type { ToolsView } from '../../usage/team-tools.ts';
import { compact, int, percent, shortDay } from '../format.ts';
import { barSvg } from '../svg/bar.ts';
import { sparklineSvg } from '../svg/sparkline.ts';
import { TRUST_TEXT } from './leaderboard.ts';

export function presentTools(v: ToolsView, members: number) {
  const share = (a: number, of: number) => (of > 0 ? a / of : 0);
  return {
    tools: v.tools.map((t) => ({
      source: t.source, name: t.name, origin: t.origin, trust: TRUST_TEXT[t.trust],
      active: int(t.active), adoption: percent(share(t.active, members)), adoption_bar: barSvg(share(t.active, members), { width: 80, label: `${percent(share(t.active, members))} of members` }),
      messages: int(t.messages), tokens: t.tokens > 0 ? compact(t.tokens) : '–', tokens_title: `${int(t.tokens)} tokens`,
      this_week: int(t.weekly[t.weekly.length - 1]?.active ?? 0),
      spark: sparklineSvg(t.weekly.map((w) => w.active), { width: 96, height: 24, label: `${t.name}: weekly active people, last ${t.weekly.length} weeks: ${t.weekly.map((w) => w.active).join(', ')}` }),
    })),
    weeks: (v.tools[0]?.weekly ?? []).map((w) => ({ week: w.week, label: shortDay(w.week) })),
    weekly_rows: v.tools.map((t) => ({ source: t.source, name: t.name, weeks: t.weekly.map((w) => int(w.active)) })),
    team_mix: v.teams.map((r) => ({
      team: r.team, members: int(r.members),
      tools: r.tools.map((x) => ({ source: x.source, active: int(x.active), share: percent(share(x.active, r.members)) })),
    })),
    tool_names: v.tools.map((t) => ({ source: t.source, name: t.name })),
    seats: v.seats.map((s) => ({
      source: s.source, name: s.name, origin: s.origin,
      assigned: int(s.assigned), active: int(s.active), unused_count: int(s.unused.length), unmatched: s.unmatched > 0 ? int(s.unmatched) : null,
      used_bar: barSvg(share(s.active, s.assigned), { width: 80, label: `${percent(share(s.active, s.assigned))} of seats used` }),
      used_share: percent(share(s.active, s.assigned)),
      unused: s.unused.map((u) => ({
        label: u.label, login: u.login, href: u.login ? `/u/${encodeURIComponent(u.login)}` : null,
        last: u.last_activity_day ? shortDay(u.last_activity_day) : s.reports_last_activity ? 'never used' : 'no usage in this window', editor: u.editor,
      })),
    })),
    any: v.tools.length > 0 || v.seats.length > 0,
  };
}
