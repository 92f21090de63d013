// How pages name the trust levels of DESIGN's table (every page that shows numbers has the legend).
/** The trust levels of DESIGN's table, as every page labels them (and the legend explains). */
export const TRUST_TEXT = {
  provider: { label: 'provider', title: 'Reported by the vendor’s own usage API, imported by the server: nobody can forge it' },
  device: { label: 'device', title: 'Read from the provider’s response on the developer’s machine (local proxy, the CLIs’ telemetry): honest unless its owner forges it' },
  'self-reported': { label: 'self-reported', title: 'Read from local log files on the developer’s machine' },
  mixed: { label: 'mixed', title: 'From more than one trust level (see the profile for the split)' },
} as const;

export const TRUST_LEGEND = (['provider', 'device', 'self-reported'] as const).map((k) => ({ key: k, ...TRUST_TEXT[k] }));
