/** The fixed names of a client project folder (docs/project-format.md); image paths are relative to it. */
export const PROJECT_FILE = 'project.json';
export const BIBLE_FILE = 'client_bible.json';
export const PLANS_DIR = 'plans';
