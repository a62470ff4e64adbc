/** Kept for the join page's import; the text lives in content/legal.ts with the full policy and agreement. */
export { PRIVACY_SUMMARY } from '../../content/legal';
