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

describe('email through Microsoft 365 or Google Workspace (OAuth2, XOAUTH2)', () => {
  const OAUTH = {
    SMTP_OAUTH2_CLIENT_ID: 'client',
    SMTP_OAUTH2_CLIENT_SECRET: 'secret',
    SMTP_OAUTH2_REFRESH_TOKEN: 'refresh',
  };
  it('reads the three settings together, with the token endpoint when given', () => {
    const c = loadConfig({
      ...OAUTH,
      SMTP_URL: 'smtp://office%40school.test@smtp.office365.com:587',
      SMTP_OAUTH2_TOKEN_URL: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    });
    expect(c.mail.oauth2).toEqual({
      clientId: 'client',
      clientSecret: 'secret',
      refreshToken: 'refresh',
      tokenUrl: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    });
    expect(loadConfig({ SMTP_URL: 'smtp://user:pass@mail.test:587' }).mail.oauth2).toBeNull();
  });

  it('refuses part of them, or no mailbox to sign in as, naming what is missing', () => {
    expect(() =>
      loadConfig({ SMTP_URL: 'smtp://office%40school.test@smtp.gmail.com:587', SMTP_OAUTH2_CLIENT_ID: 'client' }),
    ).toThrow(/go together: set all three/);
    expect(() => loadConfig({ ...OAUTH, SMTP_URL: 'smtp://smtp.gmail.com:587' })).toThrow(
      /SMTP_URL: OAuth2 email needs the mailbox as the user name/,
    );
    expect(() => loadConfig(OAUTH)).toThrow(/SMTP_URL: OAuth2 email needs the mailbox/);
  });
});
