; Inno Setup 6 script for GridAdmin (网格中心管理系统): a per-user Windows
; installer around the PyInstaller bundle in dist\GridAdmin.
;
;   python installer\build.py            (bundle + dist\version.iss)
;   ISCC installer\gridadmin.iss         (→ dist\GridAdmin-<version>-setup.exe)
;
; or ``python installer\build.py --installer``, which runs both. The version
; comes from pyproject.toml: build.py writes it into dist\version.iss;
; ``ISCC /DAppVersion=1.2.3 installer\gridadmin.iss`` overrides it.
;
; Needs Inno Setup 6.3 or newer (x64compatible). Chinese texts: Inno Setup 6
; ships no Simplified Chinese messages file; when an (unofficial)
; ChineseSimplified.isl is found next to this script or in the compiler's
; Languages folder it is used, and in every case the messages a user sees in
; this setup are given in Chinese in [Messages]/[CustomMessages] below.
;
; Install: per user, no administrator rights, into
; %LOCALAPPDATA%\Programs\GridAdmin ({userpf}). Upgrade: the same AppId, so a
; newer setup installs over the old one in place; the user's data
; (%APPDATA%\GridAdmin: databases, backups, log) is never inside {app} and is
; kept. Uninstall keeps that data folder unless the user ticks the box.
; The script is saved as UTF-8 with BOM (required for the Chinese texts).

#define AppName "网格中心管理系统"
#define AppExe "GridAdmin.exe"
; BackupExt is BACKUP_SUFFIX of gridadmin/services/maintenance/backup.py
#define BackupExt ".gadb"
#define BackupProgId "GridAdmin.Backup"

#ifndef AppVersion
  #if FileExists(AddBackslash(SourcePath) + "..\dist\version.iss")
    #include AddBackslash(SourcePath) + "..\dist\version.iss"
  #else
    #error dist\version.iss is missing: run "python installer\build.py" first, or pass /DAppVersion=x.y.z
  #endif
#endif

[Setup]
; never change AppId: it is what makes a newer setup an in-place upgrade
AppId={{6990D68C-9478-4F59-B10F-35642C5C8C1A}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=GridAdmin
#ifdef AppNumericVersion
VersionInfoVersion={#AppNumericVersion}
#endif
VersionInfoDescription={#AppName} 安装程序
PrivilegesRequired=lowest
DefaultDirName={userpf}\GridAdmin
DisableProgramGroupPage=yes
DefaultGroupName={#AppName}
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=GridAdmin-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
ChangesAssociations=yes
; a running GridAdmin is closed (and reopened) through the Restart Manager
CloseApplications=yes
RestartApplications=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
#if FileExists(AddBackslash(SourcePath) + "..\resources\icons\gridadmin.ico")
SetupIconFile=..\resources\icons\gridadmin.ico
#endif

[Languages]
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Default.isl,ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Default.isl,compiler:Languages\ChineseSimplified.isl"
#else
Name: "chs"; MessagesFile: "compiler:Default.isl"
#endif

[LangOptions]
LanguageName=<7B80><4F53><4E2D><6587>
LanguageID=$0804
LanguageCodePage=936
DialogFontName=Microsoft YaHei UI
DialogFontSize=9
WelcomeFontName=Microsoft YaHei UI
WelcomeFontSize=12

[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=%1 卸载
InformationTitle=信息
ConfirmTitle=确认
ErrorTitle=错误
ExitSetupTitle=退出安装
ExitSetupMessage=安装尚未完成。如果现在退出，程序将不会被安装。%n%n您可以以后再运行安装程序完成安装。%n%n确定要退出安装吗？
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonYesToAll=全部是(&A)
ButtonNo=否(&N)
ButtonNoToAll=全部否(&O)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ButtonNewFolder=新建文件夹(&M)
BrowseDialogTitle=浏览文件夹
BrowseDialogLabel=在下面的列表中选择一个文件夹，然后单击“确定”。
NewFolderName=新建文件夹
WelcomeLabel1=欢迎使用 [name] 安装向导
WelcomeLabel2=现在将在您的电脑上安装 [name/ver]。%n%n建议您在继续之前关闭其他应用程序。
WizardSelectDir=选择安装位置
SelectDirDesc=要把 [name] 安装到哪里？
SelectDirLabel3=安装程序将把 [name] 安装到下面的文件夹。
SelectDirBrowseLabel=单击“下一步”继续。如果要选择其他文件夹，请单击“浏览”。
DiskSpaceGBLabel=至少需要 [gb] GB 的可用磁盘空间。
DiskSpaceMBLabel=至少需要 [mb] MB 的可用磁盘空间。
DirExistsTitle=文件夹已存在
DirExists=文件夹%n%n%1%n%n已经存在。仍要安装到该文件夹吗？
DirDoesntExistTitle=文件夹不存在
DirDoesntExist=文件夹%n%n%1%n%n不存在。要创建该文件夹吗？
WizardSelectTasks=选择附加任务
SelectTasksDesc=要执行哪些附加任务？
SelectTasksLabel2=请选择安装 [name] 时要执行的附加任务，然后单击“下一步”。
WizardReady=准备安装
ReadyLabel1=安装程序已准备好在您的电脑上安装 [name]。
ReadyLabel2a=单击“安装”开始安装；如需查看或修改设置，请单击“上一步”。
ReadyLabel2b=单击“安装”开始安装。
ReadyMemoDir=安装位置：
ReadyMemoTasks=附加任务：
WizardPreparing=正在准备安装
PreparingDesc=安装程序正在准备在您的电脑上安装 [name]。
ApplicationsFound=下列程序正在使用需要更新的文件。建议让安装程序自动关闭这些程序。
ApplicationsFound2=下列程序正在使用需要更新的文件。建议让安装程序自动关闭这些程序。安装完成后，安装程序将尝试重新启动它们。
CloseApplications=自动关闭这些程序(&A)
DontCloseApplications=不要关闭这些程序(&D)
ErrorCloseApplications=安装程序无法自动关闭所有程序。建议先关闭所有使用需要更新的文件的程序（例如正在运行的网格中心管理系统），再继续安装。
WizardInstalling=正在安装
InstallingLabel=请稍候，安装程序正在您的电脑上安装 [name]。
FinishedHeadingLabel=[name] 安装完成
FinishedLabelNoIcons=安装程序已在您的电脑上安装了 [name]。
FinishedLabel=安装程序已在您的电脑上安装了 [name]。可以通过开始菜单或桌面上的快捷方式启动它。
ClickFinish=单击“完成”退出安装程序。
StatusClosingApplications=正在关闭程序...
StatusCreateDirs=正在创建文件夹...
StatusExtractFiles=正在解压文件...
StatusCreateIcons=正在创建快捷方式...
StatusCreateIniEntries=正在写入 INI 项...
StatusCreateRegistryEntries=正在写入注册表项...
StatusRegisterFiles=正在注册文件...
StatusSavingUninstall=正在保存卸载信息...
StatusRunProgram=正在完成安装...
StatusRestartingApplications=正在重新启动程序...
StatusRollback=正在撤销更改...
SetupAborted=安装没有完成。%n%n请解决问题后重新运行安装程序。
ConfirmUninstall=确定要完全删除 %1 及其所有组件吗？
UninstallStatusLabel=请稍候，正在从您的电脑上删除 %1。
UninstalledAll=已成功从您的电脑上删除 %1。
UninstalledMost=%1 卸载完成。%n%n有些内容无法删除，可以手动删除。
UninstalledAndNeedsRestart=要完成 %1 的卸载，需要重新启动电脑。%n%n要现在重新启动吗？
UninstallDataCorrupted=文件“%1”已损坏，无法卸载。
WizardUninstalling=卸载状态
StatusUninstalling=正在卸载 %1...
UninstallNotFound=文件“%1”不存在，无法卸载。
UninstallOpenError=无法打开文件“%1”，无法卸载。

[CustomMessages]
NameAndVersion=%1 版本 %2
AdditionalIcons=附加快捷方式：
CreateDesktopIcon=创建桌面快捷方式(&D)
UninstallProgram=卸载 %1
LaunchProgram=运行 %1
AssocFileExtension=用 %1 打开 %2 文件（网格中心备份）(&A)
AssocingFileExtension=正在把 %2 文件关联到 %1...
FileAssociations=文件关联：
BackupFileType=网格中心备份
RemoveDataTitle=卸载 网格中心管理系统
RemoveDataIntro=网格中心管理系统将从这台电脑上删除。%n%n您的数据（数据库、自动备份、日志）保存在%n%1%n卸载时默认保留，重新安装后可以继续使用。保存在其他位置的数据库和备份文件不受影响。
RemoveDataCheck=同时删除我的数据文件夹（无法恢复）(&D)
RemoveDataConfirm=将永久删除%n%1%n中的全部数据库、备份和日志，无法恢复。%n%n确定要删除吗？
ButtonUninstall=卸载(&U)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "assocbackup"; Description: "{cm:AssocFileExtension,{#AppName},{#BackupExt}}"; GroupDescription: "{cm:FileAssociations}"

[InstallDelete]
; an upgrade replaces the bundle's libraries completely (no stale files of the
; old version next to the new ones); the user's data is not in {app}
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\GridAdmin\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{#AppName} {#AppVersion}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; per-user file association (HKA = HKCU\Software\Classes for a per-user install).
; Uninstall undoes these lines from the last to the first: the keys that are
; only ours go (the .gadb key once it is empty, Applications\GridAdmin.exe
; whole), so nothing of the program is left in the registry.
Root: HKA; Subkey: "Software\Classes\{#BackupExt}"; ValueType: string; ValueName: ""; ValueData: "{#BackupProgId}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupExt}\OpenWithProgids"; ValueType: string; ValueName: "{#BackupProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}"; ValueType: string; ValueName: ""; ValueData: "{cm:BackupFileType}"; Flags: uninsdeletekey; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; Flags: uninsdeletekey; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: "{#BackupExt}"; ValueData: ""; Flags: uninsdeletekey; Tasks: assocbackup

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
var
  RemoveUserData: Boolean;

function UserDataDir(): String;
begin
  { gridadmin/paths.py data_dir(): %APPDATA%\GridAdmin }
  Result := ExpandConstant('{userappdata}\GridAdmin');
end;

{ Before uninstalling: a small window explaining that the data folder is kept,
  with an unticked box to remove it as well. Silent uninstalls keep the data. }
function InitializeUninstall(): Boolean;
var
  Form: TSetupForm;
  Intro: TNewStaticText;
  Check: TNewCheckBox;
  OkButton, CancelButton: TNewButton;
begin
  RemoveUserData := False;
  Result := True;
  if UninstallSilent() then
    Exit;
#if Ver >= EncodeVer(6, 6, 0)
  { since 6.6.0 the size is given up front and scaled by the function }
  Form := CreateCustomForm(440, 210, True, True);
#else
  Form := CreateCustomForm();
  Form.ClientWidth := ScaleX(440);
  Form.ClientHeight := ScaleY(210);
#endif
  try
    Form.Caption := CustomMessage('RemoveDataTitle');

    Intro := TNewStaticText.Create(Form);
    Intro.Parent := Form;
    Intro.Left := ScaleX(16);
    Intro.Top := ScaleY(16);
    Intro.Width := Form.ClientWidth - ScaleX(32);
    Intro.AutoSize := False;
    Intro.WordWrap := True;
    Intro.Height := ScaleY(110);
    Intro.Caption := FmtMessage(CustomMessage('RemoveDataIntro'), [UserDataDir()]);

    Check := TNewCheckBox.Create(Form);
    Check.Parent := Form;
    Check.Left := ScaleX(16);
    Check.Top := ScaleY(132);
    Check.Width := Form.ClientWidth - ScaleX(32);
    Check.Height := ScaleY(20);
    Check.Caption := CustomMessage('RemoveDataCheck');
    Check.Checked := False;

    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Width := ScaleX(90);
    OkButton.Height := ScaleY(26);
    OkButton.Left := Form.ClientWidth - ScaleX(16 + 90 + 8 + 90);
    OkButton.Top := Form.ClientHeight - ScaleY(26 + 14);
    OkButton.Caption := CustomMessage('ButtonUninstall');
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;

    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Width := ScaleX(90);
    CancelButton.Height := ScaleY(26);
    CancelButton.Left := Form.ClientWidth - ScaleX(16 + 90);
    CancelButton.Top := Form.ClientHeight - ScaleY(26 + 14);
    CancelButton.Caption := SetupMessage(msgButtonCancel);
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;

    Form.ActiveControl := OkButton;
    if Form.ShowModal() <> mrOk then
    begin
      Result := False;
      Exit;
    end;
    if Check.Checked then
      RemoveUserData := MsgBox(FmtMessage(CustomMessage('RemoveDataConfirm'), [UserDataDir()]),
                               mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  finally
    Form.Free();
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and RemoveUserData then
  begin
    DelTree(UserDataDir(), True, True, True);
    { window layout and the last database opened (QSettings) }
    RegDeleteKeyIncludingSubkeys(HKEY_CURRENT_USER, 'Software\GridAdmin');
  end;
end;
