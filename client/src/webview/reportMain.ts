/** Entry of report.html's inline script: reads the embedded data and draws every section. */
import { renderReport, type ReportData } from './charts';

const data = JSON.parse(document.getElementById('medseg-data')!.textContent!) as ReportData;
renderReport(document.getElementById('medseg-report')!, data);
document.body.dataset.rendered = 'true';
