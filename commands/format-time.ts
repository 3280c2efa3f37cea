/** ISO time as `2026-11-25 15:33 UTC`: unambiguous across the team's time zones. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
