/** "06:30": when `iso` was, on this device's clock (its time zone, its 12- or 24-hour habit); '' when unknown. */
export function clockTime(iso: string | null, locale?: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
}
