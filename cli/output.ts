// output.ts - how the CLI prints: one JSON document on stdout (--json), or
// human text; errors as one JSON line on stderr (--json) or as
// "error: <message>" plus a hint line.
export interface Writer {
  (text: string): void;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** stderr is a terminal: progress lines may redraw themselves. */
  stderrIsTTY?: boolean;
}

export interface OutputMode {
  json: boolean;
  quiet?: boolean;
}

/** Prints a command's result: its JSON form, or the human lines. */
export function emit(io: Io, mode: OutputMode, json: unknown, human: string | readonly string[]): void {
  if (mode.json) {
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const lines = typeof human === 'string' ? [human] : human;
  if (lines.length) io.stdout(`${lines.join('\n')}\n`);
}

interface ErrorFields {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  ioctl?: unknown;
  path?: unknown;
  hint?: unknown;
}

/** An error's whole message (every line), without the hint the library appended to it. */
function messageOf(err: unknown): string {
  const e = (err ?? {}) as ErrorFields;
  let msg = err instanceof Error ? err.message : String(err);
  if (typeof e.hint === 'string' && msg.endsWith(` (${e.hint})`)) msg = msg.slice(0, -(e.hint.length + 3));
  return msg;
}

/** The JSON form of an error: message, and code, errno, syscall, ioctl, path, hint where they apply. */
export function errorJson(err: unknown): Record<string, unknown> {
  const e = (err ?? {}) as ErrorFields;
  const out: Record<string, unknown> = { message: messageOf(err) };
  for (const k of ['code', 'errno', 'syscall', 'ioctl', 'path', 'hint'] as const) {
    if (e[k] !== undefined) out[k] = e[k];
  }
  return out;
}

/** Prints an error: `error: <message>` and `hint: <hint>` lines, or one JSON line. */
export function emitError(io: Io, mode: OutputMode, err: unknown): void {
  const e = (err ?? {}) as ErrorFields;
  if (mode.json) {
    io.stderr(`${JSON.stringify({ error: errorJson(err) })}\n`);
    return;
  }
  io.stderr(`error: ${messageOf(err)}\n`);
  if (typeof e.hint === 'string' && e.hint) io.stderr(`hint: ${e.hint}\n`);
}

/** Escapes control characters and quotes the way `list -e`/`query -e` do. */
export function escapeLabel(label: string, level = 1): string {
  const esc = (s: string): string =>
    s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => {
      if (c === '\\') return '\\\\';
      if (c === '"') return '\\"';
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
  let s = label;
  for (let i = 0; i < level; i++) s = esc(s);
  return s;
}
