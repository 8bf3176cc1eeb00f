// Where envsync's files are, apart from the code that reads them: a command's usage names them
// without loading the configuration's parser (see cli/commands.ts).
export const CONFIG_PATH = '.github/envsync.yml';

export const DEFAULT_RUNNER_WORKFLOW = 'envsync-run.yml';
