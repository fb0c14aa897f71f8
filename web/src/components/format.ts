export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "chat_message" -> "chat message", for names the API has no label for. */
export function humanize(id: string): string {
  return id.replace(/[_-]+/g, ' ');
}
