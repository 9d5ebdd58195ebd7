package org.resmap.cli;

import org.resmap.Backend;
import org.resmap.Exchange;
import org.resmap.SimulatorConfig;
import org.resmap.catalogue.CatalogueRunner;
import org.resmap.catalogue.Outcome;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The catalogue run on one back end with every scenario's requests kept: what selftest records and replay compares. */
record RecordedRun(List<Outcome> outcomes, Map<String, List<Exchange>> requests) {

    static RecordedRun run(Backend backend, SimulatorConfig config, CatalogueRunner.Progress progress) {
        Map<String, List<Exchange>> requests = new HashMap<>();
        List<Outcome> outcomes = new CatalogueRunner(backend, config, scenario -> {
            List<Exchange> list = new ArrayList<>();
            requests.put(scenario.id(), list);
            return list::add;
        }).runAll(progress);
        return new RecordedRun(outcomes, requests);
    }

    RunRecord toRecord(Backend backend, int windowsBuild, String windows) {
        List<RunRecord.ScenarioRecord> scenarios = outcomes.stream()
                .map(o -> RunRecord.ScenarioRecord.of(o, requests.getOrDefault(o.scenario().id(), List.of())))
                .toList();
        String version = Main.class.getPackage().getImplementationVersion();
        return new RunRecord(RunRecord.FORMAT, backend.id(), windowsBuild, windows,
                version == null ? "development build" : version, scenarios);
    }
}
