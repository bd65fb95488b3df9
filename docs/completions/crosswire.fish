function __crosswire_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __crosswire_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __crosswire_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __crosswire_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __crosswire_parse_tokens -S
    set -l unparsed_tokens (__crosswire_tokens -pc)
    switch $unparsed_tokens[1]
    case 'crosswire'
        __crosswire_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'verify'
            __crosswire_parse_subcommand -r 1 'plan=' 'j/threads=' 'format=+' 'output=' 'evidence=' 'q/quiet' 'version' 'h/help'
        case 'capture'
            __crosswire_parse_subcommand 0 'plan=' 'interface=+' 'filter=' 'duration=' 'count=' 'snaplen=' 'buffer-size=' 'no-promiscuous-mode' 'write=' 'user=' 'list-interfaces' 'format=+' 'output=' 'evidence=' 'q/quiet' 'version' 'h/help'
        case 'watch'
            __crosswire_parse_subcommand 0 'plan=' 'interface=+' 'listen=' 'window=' 'refresh=' 'ring=' 'ring-size=' 'node=' 'filter=' 'snaplen=' 'buffer-size=' 'no-promiscuous-mode' 'user=' 'format=+' 'output=' 'evidence=' 'q/quiet' 'version' 'h/help'
        case 'decode'
            __crosswire_parse_subcommand 1 'T=' 'e=+' 'E=+' 'vxlan-port=+' 'geneve-port=+' 'c=' 'version' 'h/help'
        case 'lint'
            __crosswire_parse_subcommand 1 'version' 'h/help'
        case 'infer'
            __crosswire_parse_subcommand -r 1 'output=' 'name=' 'version' 'h/help'
        case 'diff'
            __crosswire_parse_subcommand -r 2 'format=' 'version' 'h/help'
        case 'schema'
            __crosswire_parse_subcommand 0 'version' 'h/help'
        case 'help'
            __crosswire_parse_subcommand -r 1 'version'
        end
    end
end

function __crosswire_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __crosswire_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __crosswire_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __crosswire_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__crosswire_tokens -p)
    if test -z "$(__crosswire_tokens -t)"
        set -l index (count (__crosswire_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'crosswire' -f
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'verify' -d 'Verify captures against a plan; write reports; exit 0 (no check failed), 1 (a check failed) or 2 (bad input).'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'capture' -d 'Capture live interfaces through libpcap, verify the traffic against a plan, write the reports.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'watch' -d 'Verify live interfaces continuously; serve /metrics, /verdict, /report and /healthz over HTTP.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'decode' -d 'Decode a capture: one line per packet (text), tshark-style fields, or JSON.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'lint' -d 'Check that a plan is consistent (check plan.valid): exit 0 when it is, 1 when it is not, 2 when it cannot be read.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'infer' -d 'Draft a plan from captures of a working network, each value with its evidence as a comment.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'diff' -d 'Compare a plan with what captures show, key by key; exit 0 (as planned), 1 (a difference) or 2 (bad input).'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'schema' -d 'Print the plan file\'s JSON Schema (draft 2020-12), as in docs/plan.schema.json.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_positional "crosswire" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" plan' -l 'plan' -d 'The plan (YAML).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" j threads' -s 'j' -l 'threads' -d 'Threads: 1 does everything on one core; 2 reads and decodes on one core and runs the analysers on another (more counts as 2; default: 2 when there are two cores or more).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify"' -l 'format' -d 'Report format: md, html, json or junit (repeatable; default md and html).' -rfka 'md html json junit'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" output' -l 'output' -d 'Directory for the reports (default: reports).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" evidence' -l 'evidence' -d 'Write every frame cited as evidence to this pcap file.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on stdout (the reports and the exit code still tell).'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" plan' -l 'plan' -d 'The plan (YAML).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture"' -l 'interface' -d 'Interface to capture (repeatable: all are captured at once).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" filter' -l 'filter' -d 'BPF filter, compiled by libpcap (tcpdump syntax).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" duration' -l 'duration' -d 'Stop after this many seconds.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" count' -l 'count' -d 'Stop after this many frames (over all interfaces).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" snaplen' -l 'snaplen' -d 'Bytes kept of each frame.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" buffer-size' -l 'buffer-size' -d 'Kernel capture ring in bytes; each frame takes a slot sized for --snaplen (64 KiB by default).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" no-promiscuous-mode' -l 'no-promiscuous-mode' -d 'Do not put the interfaces into promiscuous mode.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" write' -l 'write' -d 'Write the raw frames to this pcap file (FILE-<iface>.pcap for each of several interfaces).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" user' -l 'user' -d 'Switch to this user once the interfaces are open.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" list-interfaces' -l 'list-interfaces' -d 'List the interfaces libpcap can capture on, and exit.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture"' -l 'format' -d 'Report format: md, html, json or junit (repeatable; default md and html).' -rfka 'md html json junit'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" output' -l 'output' -d 'Directory for the reports (default: reports).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" evidence' -l 'evidence' -d 'Write every frame cited as evidence to this pcap file.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on stdout (the reports and the exit code still tell).'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire capture" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" plan' -l 'plan' -d 'The plan (YAML).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch"' -l 'interface' -d 'Interface to capture (repeatable: all are captured at once).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" listen' -l 'listen' -d 'Address and port of the HTTP server (default 127.0.0.1:9465).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" window' -l 'window' -d 'Length of the rolling window: 5m, 30s, 1h (default 5m).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" refresh' -l 'refresh' -d 'How often the window\'s verdict is recomputed: 5s (default: 5s, or a slice when shorter).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" ring' -l 'ring' -d 'Directory of the evidence ring (rotating pcap files); none when absent.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" ring-size' -l 'ring-size' -d 'Total size of the evidence ring: 512MiB, 2GiB (default 512MiB).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" node' -l 'node' -d 'The node label of every metric (default: the hostname).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" filter' -l 'filter' -d 'BPF filter, compiled by libpcap (tcpdump syntax).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" snaplen' -l 'snaplen' -d 'Bytes kept of each frame.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" buffer-size' -l 'buffer-size' -d 'Kernel capture ring in bytes; each frame takes a slot sized for --snaplen.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" no-promiscuous-mode' -l 'no-promiscuous-mode' -d 'Do not put the interfaces into promiscuous mode.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" user' -l 'user' -d 'Switch to this user once the interfaces are open and the server listens.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch"' -l 'format' -d 'Report format: md, html, json or junit (repeatable; default md and html).' -rfka 'md html json junit'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" output' -l 'output' -d 'Directory for the reports (default: reports).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" evidence' -l 'evidence' -d 'Write every frame cited as evidence to this pcap file.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on stdout (the reports and the exit code still tell).'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode" T' -s 'T' -d 'Output: text, fields or json.' -rfka 'text fields json'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode"' -s 'e' -d 'A field to print with -T fields (repeatable).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode"' -s 'E' -d 'Field output option: header=y|n, separator=/t|/s|C, aggregator=C, quote=n.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode"' -l 'vxlan-port' -d 'Another UDP port to decode as VXLAN (4789 and 8472 always are).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode"' -l 'geneve-port' -d 'Another UDP port to decode as GENEVE (6081 always is).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode" c' -s 'c' -d 'Stop after this many packets.' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire decode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire lint" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire lint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire infer" output' -l 'output' -d 'Write the plan to this file (default: standard output).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire infer" name' -l 'name' -d 'The plan\'s name (default: inferred).' -rfka ''
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire infer" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire infer" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire diff" format' -l 'format' -d 'Output format: md (default) or json.' -rfka 'md json'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire diff" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire schema" version' -l 'version' -d 'Show the version.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crosswire' -n '__crosswire_should_offer_completions_for_flags_or_options "crosswire help" version' -l 'version' -d 'Show the version.'
