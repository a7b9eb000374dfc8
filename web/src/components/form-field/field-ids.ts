/** The ids a field's parts take from its control's id, and what the control is described by. */
export interface FieldIds {
  hintId: string;
  errorId: string;
  /** For the control's aria-describedby: the error when there is one, else the hint; undefined for neither. */
  describedBy: string | undefined;
}

export function fieldIds(id: string, shows: { hint: boolean; error: boolean }): FieldIds {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = shows.error ? errorId : shows.hint ? hintId : undefined;
  return { hintId, errorId, describedBy };
}
