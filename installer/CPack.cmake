# CPack: .deb on Linux, NSIS (or WiX .msi) on Windows, .dmg on macOS.
#   cpack -G DEB   (from the build directory; see docs/install.md)
set(CPACK_PACKAGE_NAME "kioskgate")
set(CPACK_PACKAGE_VENDOR "${KIOSKGATE_VENDOR}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_CONTACT "${KIOSKGATE_MAINTAINER}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "KioskGate")
set(CPACK_PACKAGE_EXECUTABLES "kioskgate;KioskGate")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright")
set(CPACK_STRIP_FILES ON)
# Values reach the generators exactly as written here (NSIS commands below).
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\.git/;node_modules/")

# --- Debian -----------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${KIOSKGATE_MAINTAINER}")
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; CPack indents this
# text and turns the empty line into the " ." paragraph break.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "KioskGate is a desktop console with an embedded WebSocket server for browser
kiosks on a local network. It admits only kiosks that present a valid token
from an allowed web origin, shows every live connection and resets all kiosks
with one button. Token signing keys are kept in the desktop keychain through
the Secret Service (GNOME Keyring, KWallet, KeePassXC).

The package also carries the browser client library for kiosk pages, in
/usr/share/kioskgate/client.")
# Libraries the executable links come from dpkg-shlibdeps. Listed by hand:
# what is loaded at run time, which no linker sees:
#  - libsecret-1-0: QtKeychain opens it with dlopen for the Secret Service;
#  - libqt6sql6-sqlite: Qt's SQLite driver plugin (the token registry);
#  - libqt6svg6: the SVG image format and icon engine plugins (the icon).
# On Debian the X11 platform plugin (libqxcb) is part of libqt6gui6, which
# the window links; qt6-qpa-plugins holds only VNC and touch plugins.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsecret-1-0, libqt6sql6-sqlite, libqt6svg6")
# A Secret Service provider to talk to (servers without one run with
# --insecure-file-secrets, docs/install.md), and the native Wayland plugin
# (without it Qt uses XWayland).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager | keepassxc, qt6-wayland")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# --- Windows: NSIS, or WiX for an .msi --------------------------------------
# The registry key and the WiX upgrade code never change: a new version
# replaces the installed one instead of installing beside it.
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "KioskGate")
set(CPACK_NSIS_PACKAGE_NAME "KioskGate")
set(CPACK_NSIS_DISPLAY_NAME "KioskGate")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\kioskgate.exe")
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_MUI_FINISHPAGE_RUN "kioskgate.exe")
set(CPACK_WIX_UPGRADE_GUID "6A0C1F0B-7E2D-4C55-9B1E-2F6C0D3A8B41")
set(CPACK_WIX_PRODUCT_ICON "${KIOSKGATE_ICO_FILE}")
if(WIN32)
    set(CPACK_NSIS_MUI_ICON "${KIOSKGATE_ICO_FILE}")
    set(CPACK_NSIS_MUI_UNIICON "${KIOSKGATE_ICO_FILE}")
    # "Start with Windows": an optional component, off by default. Its
    # section runs before the core section's extra commands, which then add
    # the Startup-folder shortcut when it was ticked.
    install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/windows/autostart.txt"
            DESTINATION . COMPONENT autostart)
    set(CPACK_COMPONENTS_ALL app autostart)
    set(CPACK_COMPONENT_APP_DISPLAY_NAME "KioskGate")
    set(CPACK_COMPONENT_APP_REQUIRED ON)
    set(CPACK_COMPONENT_AUTOSTART_DISPLAY_NAME "Start KioskGate with Windows")
    set(CPACK_COMPONENT_AUTOSTART_DESCRIPTION
        "Opens the console when you sign in to Windows (a shortcut in your Startup folder).")
    set(CPACK_COMPONENT_AUTOSTART_DISABLED ON)
    set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  SectionGetFlags ${autostart} $0
  IntOp $0 $0 & ${SF_SELECTED}
  StrCmp $0 ${SF_SELECTED} 0 +2
    CreateShortCut "$SMSTARTUP\KioskGate.lnk" "$INSTDIR\bin\kioskgate.exe"
]=])
    set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  Delete "$SMSTARTUP\KioskGate.lnk"
]=])
endif()

# --- macOS ------------------------------------------------------------------
set(CPACK_DMG_VOLUME_NAME "KioskGate")
set(CPACK_DMG_FORMAT "UDZO")

# Signing of the staged files when the CI has the secrets for it.
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_SOURCE_DIR}/sign-staged-files.cmake")

if(WIN32)
    set(CPACK_GENERATOR "NSIS")
elseif(APPLE)
    set(CPACK_GENERATOR "DragNDrop")
else()
    set(CPACK_GENERATOR "DEB")
endif()

include(CPack)
