// Draws the dashboard's charts from the JSON the page embeds (json_script); the tables below
// each chart carry the same data for those who cannot see it.
(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0b4f8a", "#b45309", "#15803d", "#7c3aed", "#be123c", "#0f766e", "#4d7c0f", "#a16207", "#475569"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1f2937";
  // Axis labels and legends readable on a phone too (at least 12 px).
  Chart.defaults.font.size = 14;
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Long labels go on several lines rather than being cut at the canvas's edge (phones).
  const wrap = (label, max = 18) => {
    const lines = [];
    for (const word of String(label).split(" ")) {
      const last = lines[lines.length - 1];
      if (last && (last + " " + word).length <= max) lines[lines.length - 1] = last + " " + word;
      else lines.push(word);
    }
    return lines;
  };
  const common = { responsive: true, animation: reduceMotion ? false : undefined };
  const phone = window.matchMedia("(max-width: 600px)").matches;
  const ticks = { font: { size: 13 } };

  const domainStatus = document.getElementById("chart-domain-status");
  if (domainStatus) {
    new Chart(domainStatus, {
      type: "bar",
      data: {
        labels: data.domainStatus.labels.map((label) => wrap(label)),
        datasets: data.domainStatus.series.map((serie, i) => ({
          label: serie.label, data: serie.data, backgroundColor: palette[i % palette.length],
        })),
      },
      options: { ...common, aspectRatio: phone ? 0.9 : 2, indexAxis: "y", scales: { x: { stacked: true, ticks: { precision: 0, font: { size: 13 } } }, y: { stacked: true, ticks: { font: { size: 13 }, autoSkip: false } } } },
    });
  }
  const single = (id, labels, values, label) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels.map((label) => wrap(label, 14)), datasets: [{ label, data: values, backgroundColor: palette[0] }] },
      // On a phone, horizontal bars: every label is written (none skipped, none slanted).
      options: phone
        ? { ...common, indexAxis: "y", aspectRatio: Math.max(0.9, 4.5 / Math.max(labels.length, 1)), plugins: { legend: { display: false } },
            scales: { x: { ticks: { ...ticks, precision: 0 } }, y: { ticks: { ...ticks, autoSkip: false } } } }
        : { ...common, plugins: { legend: { display: false } }, scales: { x: { ticks: { ...ticks, autoSkip: false } }, y: { ticks: { ...ticks, precision: 0 } } } },
    });
  };
  single("chart-tools", data.tools.labels, data.tools.data, "Collectivités");
  single("chart-kinds", data.kinds.labels, data.kinds.data, "Cas d'usage");
})();
