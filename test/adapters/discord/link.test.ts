import type { APIApplicationCommandSubcommandOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../../adapters/discord/index.js';

/** `link` and `unlink` reach Discord as subcommands, their options and names in Chinese derived from commands/. */
describe('link and unlink on Discord', () => {
  const [root] = commandDefinitions();
  const sub = (name: string) =>
    root?.options?.find((o) => o.name === name) as APIApplicationCommandSubcommandOption | undefined;

  it('GIVEN the registered /contactway THEN link takes user (required, autocompleted) and userid, named in zh-CN', () => {
    const link = sub('link');
    expect(link?.name_localizations?.['zh-CN']).toBe('绑定');
    expect(link?.options?.map((o) => [o.name, o.name_localizations?.['zh-CN'], o.required])).toEqual([
      ['user', '成员', true],
      ['userid', '账号', false],
    ]);
    expect(link?.options?.[0]).toMatchObject({ autocomplete: true });
  });

  it('GIVEN the registered /contactway THEN unlink takes an optional who', () => {
    const unlink = sub('unlink');
    expect(unlink?.name_localizations?.['zh-CN']).toBe('解绑');
    expect(unlink?.options?.map((o) => [o.name, o.name_localizations?.['zh-CN'], o.required])).toEqual([
      ['who', '用户', false],
    ]);
  });
});
