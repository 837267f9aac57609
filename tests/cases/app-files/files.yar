// A rule on the quarterly report the office capture downloads (tools/scenarios_office.c)
rule office_quarterly_report
{
    strings:
        $h = "2023" ascii
        $csv = "," ascii
    condition:
        $h and #csv > 10
}

rule never_matches
{
    strings:
        $x = "this text is in no file of the capture" ascii
    condition:
        $x
}
