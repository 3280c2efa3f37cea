import { Rejection } from './wecom-reply.js';

/**
 * WeCom takes a mini-program card only for a mini program associated with the corp (wecom-provider-modes.md
 * §5.1): 90207 for an appid that is no appid, 90206 for one the corp has not associated. The sandbox's corp has
 * associated every appid except those ending in `0000` (so a test or a demo can see 90206 without setup);
 * 90208 (associated, but not the one this app may use) is a fault to inject.
 */
export function checkMiniprogram(appid: string): void {
  if (!/^wx[A-Za-z0-9]{16}$/.test(appid)) throw new Rejection(90207, `invalid appid ${appid.slice(0, 40)}`);
  if (appid.endsWith('0000'))
    throw new Rejection(90206, `mini program ${appid} is not associated with the corp`);
}
