package org.resmap.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code resmap completion}: the bash/zsh completion script picocli generates from the commands themselves. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a bash or zsh completion script for resmap: commands, options, build and violation "
                + "names. Load it with: source <(resmap completion)")
final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("resmap", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
