# Registers the nightly vhdchain audit as a scheduled task writing into windows_exporter's textfile
# directory (docs/check.md, "Fleet"). Run once, elevated. vhdchain replaces the .prom file
# atomically, so windows_exporter never reads half of it. Exit codes 1 and 2 are verdicts carried
# by the metrics (vhdchain_check_status), not failures of the task.
param(
  [string]$Vhdchain = "C:\Program Files\vhdchain\vhdchain.exe",
  [string]$TextfileDir = "C:\Program Files\windows_exporter\textfile_inputs",
  [string[]]$Paths = @("C:\ClusterStorage", "D:\Hyper-V"),
  [string]$At = "02:30"
)
$output = Join-Path $TextfileDir "vhdchain.prom"
$arguments = @("-q", "check", "--format", "prometheus", "--output", "`"$output`"") + ($Paths | ForEach-Object { "`"$_`"" })
$action = New-ScheduledTaskAction -Execute $Vhdchain -Argument ($arguments -join " ")
$trigger = New-ScheduledTaskTrigger -Daily -At $At -RandomDelay (New-TimeSpan -Minutes 30)
$principal = New-ScheduledTaskPrincipal -UserId "SYSTEM" -LogonType ServiceAccount -RunLevel Highest
$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1) -Priority 7
Register-ScheduledTask -TaskName "vhdchain check" -TaskPath "\vhdchain\" -Action $action -Trigger $trigger `
  -Principal $principal -Settings $settings -Description "Nightly Hyper-V disk chain audit for windows_exporter" -Force
