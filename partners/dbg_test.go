package partners_test
import ("testing";"context";"github.com/partnerkit/partnerkit";"github.com/partnerkit/partnerkit/partners";"github.com/partnerkit/partnerkit/partners/memstore")
func TestDbg(t *testing.T){ svc := partners.NewService(memstore.New(nil)); root,_,_ := svc.Bootstrap(context.Background(), partners.BootstrapInput{AccountName:"P",AdminEmail:"a@b.example",AdminPassword:"Sup3r-secret"})
 _, err := svc.CreatePartner(context.Background(), partnerkit.Actor{AccountID: root.ID, Role: partnerkit.RoleAdmin}, partners.CreatePartnerInput{Type:"wizard"}); t.Log(err) }
