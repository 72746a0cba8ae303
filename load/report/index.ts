export { renderChart } from "./chart.js";
export { toJson } from "./json.js";
export { escapeXml, toJunit } from "./junit.js";
export { toMarkdown } from "./markdown.js";
export { writeReports, type ReportPaths } from "./write.js";
