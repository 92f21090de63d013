// Trust labels. "Measured" usage was seen on the wire or reported by the provider (the
// local proxy, the CLIs' own telemetry, the providers' Admin APIs); "self-reported" usage
// was read from local log files, which a user could edit.
export const MEASURED_SOURCES: readonly string[] = ['proxy', 'otlp', 'anthropic-admin', 'openai-admin'];

export type Trust = 'measured' | 'self-reported';

export function trustOf(source: string): Trust {
  return MEASURED_SOURCES.includes(source) ? 'measured' : 'self-reported';
}

/** Sources whose numbers come from the provider itself; they win over self-reported ones. */
export const PROVIDER_ANCHORED: readonly string[] = ['anthropic-admin', 'openai-admin'];
