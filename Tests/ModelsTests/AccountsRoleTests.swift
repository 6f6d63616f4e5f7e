import Models
import Testing

@Suite struct AccountsRoleTests {
    @Test func permissionTable() {
        #expect(Role.viewer.permissions == [.read])
        #expect(Role.analyst.permissions == [.read])
        #expect(Role.user.permissions == [.read, .create, .run])
        #expect(Role.admin.permissions == Set(Permission.allCases))
    }

    @Test(arguments: Role.allCases, Permission.allCases)
    func allowsMatchesTheTable(_ role: Role, _ permission: Permission) {
        let expected: Bool =
            switch (role, permission) {
            case (.admin, _): true
            case (.user, .read), (.user, .create), (.user, .run): true
            case (.analyst, .read), (.viewer, .read): true
            default: false
            }
        #expect(role.allows(permission) == expected)
    }

    @Test func rawValues() {
        #expect(Role(rawValue: "analyst") == .analyst)
        #expect(Role(rawValue: "Admin") == nil)
        #expect(Role(rawValue: "root") == nil)
    }
}
