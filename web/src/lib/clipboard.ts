// Copies text for the user. The Clipboard API needs a secure context (https or localhost) and,
// in some browsers, a permission; a page served over plain http on a LAN address has neither, so
// it falls back to selecting the text in a hidden field and the old copy command.

export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      console.debug('[aethex] clipboard API refused, trying the fallback', error);
    }
  }
  return copyWithSelection(text);
}

function copyWithSelection(text: string): boolean {
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  field.style.pointerEvents = 'none';
  document.body.append(field);
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  field.select();
  try {
    // Deprecated, yet the only way without the Clipboard API.
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    field.remove();
    focused?.focus();
  }
}
