import type Handlebars from 'handlebars';
import type { AuditFile } from '../results/audit.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { revealBidi, revealBidiDeep } from '../visible-text.js';
import { type AuditSection, auditSection } from './audit-markdown.js';
import { compilePage, contentSecurityPolicy, type PageHead, pageCss } from './render-html.js';

interface AuditPage extends PageHead {
  title: string;
  audit: AuditSection;
}

let assets: { template: Handlebars.TemplateDelegate<AuditPage>; css: string } | undefined;

/**
 * audit.html, for an audit folder that is no run folder: the run report's audit section alone, as one
 * self-contained file like report.html (its CSS inlined, nothing fetched). It has no script at all, so its
 * policy lets none run: the template draws every id and reason through Handlebars' escaping `{{ }}`.
 */
export function renderAuditHtml(audit: AuditFile): string {
  assets ??= { template: compilePage<AuditPage>('audit.hbs'), css: pageCss() };
  return assets.template({
    title: revealBidi(`${audit.index.alias} (${audit.index.target})`),
    tool: `${TOOL_NAME} ${TOOL_VERSION}`,
    contentSecurityPolicy: contentSecurityPolicy([]),
    css: assets.css,
    audit: revealBidiDeep(auditSection(audit)),
  });
}
