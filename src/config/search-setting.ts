import type { SearchSetting } from './types.js';

/** `efSearch=64`, `exact=true`: how a sweep names a setting, in its system's id and in the report's chart. */
export function searchSettingLabel(setting: SearchSetting): string {
  return Object.entries(setting)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
