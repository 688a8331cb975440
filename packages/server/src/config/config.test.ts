import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('RELOAD_TEMPLATES', () => {
  it('compiles page templates once unless asked to re-read them', () => {
    expect(loadConfig({}).reloadTemplates).toBe(false);
    // Development (the default NODE_ENV) does not re-read them either: compiling costs 100s of ms a page.
    expect(loadConfig({ NODE_ENV: 'development' }).reloadTemplates).toBe(false);
    expect(loadConfig({ RELOAD_TEMPLATES: 'true' }).reloadTemplates).toBe(true);
  });

  it('names the variable when its value is wrong', () => {
    expect(() => loadConfig({ RELOAD_TEMPLATES: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ RELOAD_TEMPLATES: 'yes' })).toThrow(/RELOAD_TEMPLATES/);
  });
});
