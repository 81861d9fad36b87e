// Radar of the maturity scores (and the peers' median when there is one); the table below
// carries the same data.
(function () {
  const source = document.getElementById("maturity-data");
  const canvas = document.getElementById("chart-maturity");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const datasets = [{ label: "Votre collectivité", data: data.scores, borderColor: "#0b4f8a", backgroundColor: "rgba(11,79,138,0.2)" }];
  if (data.medians) {
    datasets.push({ label: "Médiane des pairs", data: data.medians, borderColor: "#b45309", backgroundColor: "rgba(180,83,9,0.1)", borderDash: [6, 4] });
  }
  // Axis labels readable on a phone too (at least 12 px).
  Chart.defaults.font.size = 14;
  new Chart(canvas, {
    type: "radar",
    data: { labels: data.labels, datasets },
    options: { scales: { r: { min: 0, max: 100, ticks: { stepSize: 25, font: { size: 12 } }, pointLabels: { font: { size: 13 } } } } },
  });
})();
