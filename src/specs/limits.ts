// The size above which a spec file is a finding rather than read: apart from the parser, so that a
// command's usage can show it without loading the parser (see cli/commands.ts).
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
