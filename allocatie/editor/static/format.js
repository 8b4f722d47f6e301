// Numbers and money as a Dutch (or English) reader expects them.

let locale = "nl-NL";
export function setLocale(lang) { locale = lang === "en" ? "en-GB" : "nl-NL"; }
export const integer = (n) => (n === null || n === undefined) ? "–"
  : new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
export const eur = (n) => (n === null || n === undefined) ? "–"
  : "€ " + new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
export const signedEur = (n) => (n === null || n === undefined) ? "–"
  : (n > 0 ? "+" : n < 0 ? "−" : "") + eur(Math.abs(n));
export const percent = (x, digits = 2) => (x === null || x === undefined) ? "–"
  : new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: digits,
                                    maximumFractionDigits: digits }).format(x);
export const decimal = (x, digits = 2) => (x === null || x === undefined) ? "–"
  : new Intl.NumberFormat(locale, { minimumFractionDigits: digits,
                                    maximumFractionDigits: digits }).format(x);
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;" }[c]));
}
