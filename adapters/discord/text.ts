import { escapeMarkdown } from 'discord.js';

/**
 * Escapes text for a Discord message or embed. Our replies are plain text and hold what people typed
 * (remarks, states, config_ids from a custom_id): without this, `[x](https://evil)` in a remark becomes a
 * clickable masked link and `<@&123>` a role pill. Markdown (masked links, headings, lists included) is
 * escaped by discord.js; mentions, channels, emoji and timestamps (`<@…>`, `<#…>`, `<:…>`, `<t:…>`, `</…>`)
 * and `@everyone`/`@here` get a backslash so they show as typed. Pings are also off for every message
 * (`allowed_mentions`, see client.ts); this is about what the text looks like.
 */
export function escapeText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true })
    .replace(/<(?=[@#:/]|a:|t:)/g, '\\<')
    .replace(/@(?=everyone|here)/g, '\\@');
}
