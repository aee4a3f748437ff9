var j=globalThis,L=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,q=Symbol(),he=new WeakMap,N=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==q)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(L&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=he.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&he.set(t,e))}return e}toString(){return this.cssText}},ue=o=>new N(typeof o=="string"?o:o+"",void 0,q),G=(o,...e)=>{let t=o.length===1?o[0]:e.reduce((s,n,i)=>s+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+o[i+1],o[0]);return new N(t,o,q)},pe=(o,e)=>{if(L)o.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),n=j.litNonce;n!==void 0&&s.setAttribute("nonce",n),s.textContent=t.cssText,o.appendChild(s)}},Z=L?o=>o:o=>o instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return ue(t)})(o):o;var{is:We,defineProperty:Ke,getOwnPropertyDescriptor:Be,getOwnPropertyNames:Fe,getOwnPropertySymbols:Ve,getPrototypeOf:qe}=Object,W=globalThis,me=W.trustedTypes,Ge=me?me.emptyScript:"",Ze=W.reactiveElementPolyfillSupport,M=(o,e)=>o,J={toAttribute(o,e){switch(e){case Boolean:o=o?Ge:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,e){let t=o;switch(e){case Boolean:t=o!==null;break;case Number:t=o===null?null:Number(o);break;case Object:case Array:try{t=JSON.parse(o)}catch{t=null}}return t}},fe=(o,e)=>!We(o,e),_e={attribute:!0,type:String,converter:J,reflect:!1,useDefault:!1,hasChanged:fe};Symbol.metadata??=Symbol("metadata"),W.litPropertyMetadata??=new WeakMap;var k=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=_e){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),n=this.getPropertyDescriptor(e,s,t);n!==void 0&&Ke(this.prototype,e,n)}}static getPropertyDescriptor(e,t,s){let{get:n,set:i}=Be(this.prototype,e)??{get(){return this[t]},set(r){this[t]=r}};return{get:n,set(r){let l=n?.call(this);i?.call(this,r),this.requestUpdate(e,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??_e}static _$Ei(){if(this.hasOwnProperty(M("elementProperties")))return;let e=qe(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(M("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(M("properties"))){let t=this.properties,s=[...Fe(t),...Ve(t)];for(let n of s)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,n]of t)this.elementProperties.set(s,n)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let n=this._$Eu(t,s);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let n of s)t.unshift(Z(n))}else e!==void 0&&t.push(Z(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return pe(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,s);if(n!==void 0&&s.reflect===!0){let i=(s.converter?.toAttribute!==void 0?s.converter:J).toAttribute(t,s.type);this._$Em=e,i==null?this.removeAttribute(n):this.setAttribute(n,i),this._$Em=null}}_$AK(e,t){let s=this.constructor,n=s._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let i=s.getPropertyOptions(n),r=typeof i.converter=="function"?{fromAttribute:i.converter}:i.converter?.fromAttribute!==void 0?i.converter:J;this._$Em=n;let l=r.fromAttribute(t,i.type);this[n]=l??this._$Ej?.get(n)??l,this._$Em=null}}requestUpdate(e,t,s,n=!1,i){if(e!==void 0){let r=this.constructor;if(n===!1&&(i=this[e]),s??=r.getPropertyOptions(e),!((s.hasChanged??fe)(i,t)||s.useDefault&&s.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(r._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:n,wrapped:i},r){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,r??t??this[e]),i!==!0||r!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,i]of this._$Ep)this[n]=i;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[n,i]of s){let{wrapped:r}=i,l=this[n];r!==!0||this._$AL.has(n)||l===void 0||this.C(n,void 0,i,l)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};k.elementStyles=[],k.shadowRootOptions={mode:"open"},k[M("elementProperties")]=new Map,k[M("finalized")]=new Map,Ze?.({ReactiveElement:k}),(W.reactiveElementVersions??=[]).push("2.1.2");var ne=globalThis,ge=o=>o,K=ne.trustedTypes,ye=K?K.createPolicy("lit-html",{createHTML:o=>o}):void 0,Ae="$lit$",v=`lit$${Math.random().toFixed(9).slice(2)}$`,xe="?"+v,Je=`<${xe}>`,A=document,D=()=>A.createComment(""),O=o=>o===null||typeof o!="object"&&typeof o!="function",oe=Array.isArray,Ye=o=>oe(o)||typeof o?.[Symbol.iterator]=="function",Y=`[ 	
\f\r]`,P=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ke=/-->/g,be=/>/g,w=RegExp(`>|${Y}(?:([^\\s"'>=/]+)(${Y}*=${Y}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),ve=/'/g,we=/"/g,Ce=/^(?:script|style|textarea|title)$/i,ie=o=>(e,...t)=>({_$litType$:o,strings:e,values:t}),h=ie(1),wt=ie(2),$t=ie(3),x=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),$e=new WeakMap,$=A.createTreeWalker(A,129);function Ee(o,e){if(!oe(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return ye!==void 0?ye.createHTML(e):e}var Qe=(o,e)=>{let t=o.length-1,s=[],n,i=e===2?"<svg>":e===3?"<math>":"",r=P;for(let l=0;l<t;l++){let c=o[l],a,u,p=-1,f=0;for(;f<c.length&&(r.lastIndex=f,u=r.exec(c),u!==null);)f=r.lastIndex,r===P?u[1]==="!--"?r=ke:u[1]!==void 0?r=be:u[2]!==void 0?(Ce.test(u[2])&&(n=RegExp("</"+u[2],"g")),r=w):u[3]!==void 0&&(r=w):r===w?u[0]===">"?(r=n??P,p=-1):u[1]===void 0?p=-2:(p=r.lastIndex-u[2].length,a=u[1],r=u[3]===void 0?w:u[3]==='"'?we:ve):r===we||r===ve?r=w:r===ke||r===be?r=P:(r=w,n=void 0);let _=r===w&&o[l+1].startsWith("/>")?" ":"";i+=r===P?c+Je:p>=0?(s.push(a),c.slice(0,p)+Ae+c.slice(p)+v+_):c+v+(p===-2?l:_)}return[Ee(o,i+(o[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},H=class o{constructor({strings:e,_$litType$:t},s){let n;this.parts=[];let i=0,r=0,l=e.length-1,c=this.parts,[a,u]=Qe(e,t);if(this.el=o.createElement(a,s),$.currentNode=this.el.content,t===2||t===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(n=$.nextNode())!==null&&c.length<l;){if(n.nodeType===1){if(n.hasAttributes())for(let p of n.getAttributeNames())if(p.endsWith(Ae)){let f=u[r++],_=n.getAttribute(p).split(v),m=/([.?@])?(.*)/.exec(f);c.push({type:1,index:i,name:m[2],strings:_,ctor:m[1]==="."?X:m[1]==="?"?ee:m[1]==="@"?te:S}),n.removeAttribute(p)}else p.startsWith(v)&&(c.push({type:6,index:i}),n.removeAttribute(p));if(Ce.test(n.tagName)){let p=n.textContent.split(v),f=p.length-1;if(f>0){n.textContent=K?K.emptyScript:"";for(let _=0;_<f;_++)n.append(p[_],D()),$.nextNode(),c.push({type:2,index:++i});n.append(p[f],D())}}}else if(n.nodeType===8)if(n.data===xe)c.push({type:2,index:i});else{let p=-1;for(;(p=n.data.indexOf(v,p+1))!==-1;)c.push({type:7,index:i}),p+=v.length-1}i++}}static createElement(e,t){let s=A.createElement("template");return s.innerHTML=e,s}};function E(o,e,t=o,s){if(e===x)return e;let n=s!==void 0?t._$Co?.[s]:t._$Cl,i=O(e)?void 0:e._$litDirective$;return n?.constructor!==i&&(n?._$AO?.(!1),i===void 0?n=void 0:(n=new i(o),n._$AT(o,t,s)),s!==void 0?(t._$Co??=[])[s]=n:t._$Cl=n),n!==void 0&&(e=E(o,n._$AS(o,e.values),n,s)),e}var Q=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,n=(e?.creationScope??A).importNode(t,!0);$.currentNode=n;let i=$.nextNode(),r=0,l=0,c=s[0];for(;c!==void 0;){if(r===c.index){let a;c.type===2?a=new I(i,i.nextSibling,this,e):c.type===1?a=new c.ctor(i,c.name,c.strings,this,e):c.type===6&&(a=new se(i,this,e)),this._$AV.push(a),c=s[++l]}r!==c?.index&&(i=$.nextNode(),r++)}return $.currentNode=A,n}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},I=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,n){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=E(this,e,t),O(e)?e===d||e==null||e===""?(this._$AH!==d&&this._$AR(),this._$AH=d):e!==this._$AH&&e!==x&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Ye(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==d&&O(this._$AH)?this._$AA.nextSibling.data=e:this.T(A.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,n=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=H.createElement(Ee(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===n)this._$AH.p(t);else{let i=new Q(n,this),r=i.u(this.options);i.p(t),this.T(r),this._$AH=i}}_$AC(e){let t=$e.get(e.strings);return t===void 0&&$e.set(e.strings,t=new H(e)),t}k(e){oe(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,n=0;for(let i of e)n===t.length?t.push(s=new o(this.O(D()),this.O(D()),this,this.options)):s=t[n],s._$AI(i),n++;n<t.length&&(this._$AR(s&&s._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=ge(e).nextSibling;ge(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},S=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,n,i){this.type=1,this._$AH=d,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=i,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=d}_$AI(e,t=this,s,n){let i=this.strings,r=!1;if(i===void 0)e=E(this,e,t,0),r=!O(e)||e!==this._$AH&&e!==x,r&&(this._$AH=e);else{let l=e,c,a;for(e=i[0],c=0;c<i.length-1;c++)a=E(this,l[s+c],t,c),a===x&&(a=this._$AH[c]),r||=!O(a)||a!==this._$AH[c],a===d?e=d:e!==d&&(e+=(a??"")+i[c+1]),this._$AH[c]=a}r&&!n&&this.j(e)}j(e){e===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},X=class extends S{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===d?void 0:e}},ee=class extends S{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==d)}},te=class extends S{constructor(e,t,s,n,i){super(e,t,s,n,i),this.type=5}_$AI(e,t=this){if((e=E(this,e,t,0)??d)===x)return;let s=this._$AH,n=e===d&&s!==d||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,i=e!==d&&(s===d||n);n&&this.element.removeEventListener(this.name,this,s),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},se=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){E(this,e)}};var Xe=ne.litHtmlPolyfillSupport;Xe?.(H,I),(ne.litHtmlVersions??=[]).push("3.3.3");var Se=(o,e,t)=>{let s=t?.renderBefore??e,n=s._$litPart$;if(n===void 0){let i=t?.renderBefore??null;s._$litPart$=n=new I(e.insertBefore(D(),i),i,void 0,t??{})}return n._$AI(o),n};var re=globalThis,g=class extends k{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Se(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return x}};g._$litElement$=!0,g.finalized=!0,re.litElementHydrateSupport?.({LitElement:g});var et=re.litElementPolyfillSupport;et?.({LitElement:g});(re.litElementVersions??=[]).push("4.2.2");var tt={on_shift:"On shift",off_shift:"Off shift",state_unknown:"Unknown",since:"since {time}",worked_today:"Today {duration}",duration_hours:"{hours} h {minutes} min",duration_minutes:"{minutes} min",confirm_clock_in:"Clock in {name}?",confirm_clock_out:"Clock out {name}?",clock_in:"Clock in",clock_out:"Clock out",cancel:"Cancel",working:"One moment…",clocked_in:"Clocked in at {time}",clocked_out:"Clocked out at {time}",failed:"Not recorded: {message}",failed_no_message:"Not recorded. Try again.",pending_one:"{count} punch waiting to be delivered",pending_other:"{count} punches waiting to be delivered",rejected:"Refused by the backend: {message}",no_accounts:"No Time Clock account to show.",no_employees:"No employees to show. Add them to the account under Settings → Devices & services → Time Clock.",load_failed:"Could not load the Time Clock accounts: {message}",backend_local:"Local record",waiting_label:"Waiting punches",backend_label:"Backend",reachable:"Reachable",unreachable:"Not reachable",last_delivery_label:"Last delivery",never:"Never",failed_label:"Failed punches",open_repairs:"Open repairs",retry:"Retry delivery",retry_done:"Delivery retried",this_week:"This week",total:"Total",hours:"{hours} h",week_failed:"Could not load this week's hours: {message}",editor_mode:"Mode",mode_kiosk:"Door tablet: a tile per employee",mode_admin:"Administration: delivery and this week's hours",editor_title:"Title",editor_accounts:"Accounts",editor_accounts_helper:"None chosen: every account.",editor_employees:"Employees",editor_employees_helper:"None chosen: every employee of the accounts."},st={on_shift:"Im Dienst",off_shift:"Nicht im Dienst",state_unknown:"Unbekannt",since:"seit {time}",worked_today:"Heute {duration}",duration_hours:"{hours} Std. {minutes} Min.",duration_minutes:"{minutes} Min.",confirm_clock_in:"{name} einstempeln?",confirm_clock_out:"{name} ausstempeln?",clock_in:"Einstempeln",clock_out:"Ausstempeln",cancel:"Abbrechen",working:"Einen Moment…",clocked_in:"Eingestempelt um {time}",clocked_out:"Ausgestempelt um {time}",failed:"Nicht erfasst: {message}",failed_no_message:"Nicht erfasst. Bitte erneut versuchen.",pending_one:"{count} Buchung wartet auf Übermittlung",pending_other:"{count} Buchungen warten auf Übermittlung",rejected:"Vom System abgelehnt: {message}",no_accounts:"Kein Time-Clock-Konto anzuzeigen.",no_employees:"Keine Mitarbeitenden anzuzeigen. Füge sie dem Konto unter Einstellungen → Geräte & Dienste → Time Clock hinzu.",load_failed:"Die Time-Clock-Konten konnten nicht geladen werden: {message}",backend_local:"Lokale Erfassung",waiting_label:"Wartende Buchungen",backend_label:"System",reachable:"Erreichbar",unreachable:"Nicht erreichbar",last_delivery_label:"Letzte Übermittlung",never:"Nie",failed_label:"Fehlgeschlagene Buchungen",open_repairs:"Reparaturen öffnen",retry:"Erneut übermitteln",retry_done:"Übermittlung erneut gestartet",this_week:"Diese Woche",total:"Summe",hours:"{hours} Std.",week_failed:"Die Stunden dieser Woche konnten nicht geladen werden: {message}",editor_mode:"Modus",mode_kiosk:"Tablet an der Tür: eine Kachel pro Person",mode_admin:"Verwaltung: Übermittlung und Stunden dieser Woche",editor_title:"Titel",editor_accounts:"Konten",editor_accounts_helper:"Keines gewählt: alle Konten.",editor_employees:"Mitarbeitende",editor_employees_helper:"Niemand gewählt: alle Mitarbeitenden der Konten."},nt={on_shift:"In dienst",off_shift:"Niet in dienst",state_unknown:"Onbekend",since:"sinds {time}",worked_today:"Vandaag {duration}",duration_hours:"{hours} u {minutes} min",duration_minutes:"{minutes} min",confirm_clock_in:"{name} inklokken?",confirm_clock_out:"{name} uitklokken?",clock_in:"Inklokken",clock_out:"Uitklokken",cancel:"Annuleren",working:"Een ogenblik…",clocked_in:"Ingeklokt om {time}",clocked_out:"Uitgeklokt om {time}",failed:"Niet geregistreerd: {message}",failed_no_message:"Niet geregistreerd. Probeer het opnieuw.",pending_one:"{count} registratie wacht op verzending",pending_other:"{count} registraties wachten op verzending",rejected:"Geweigerd door het systeem: {message}",no_accounts:"Geen Time Clock-account om te tonen.",no_employees:"Geen medewerkers om te tonen. Voeg ze toe aan het account via Instellingen → Apparaten & diensten → Time Clock.",load_failed:"De Time Clock-accounts konden niet worden geladen: {message}",backend_local:"Lokale registratie",waiting_label:"Wachtende registraties",backend_label:"Systeem",reachable:"Bereikbaar",unreachable:"Niet bereikbaar",last_delivery_label:"Laatste verzending",never:"Nooit",failed_label:"Mislukte registraties",open_repairs:"Reparaties openen",retry:"Opnieuw verzenden",retry_done:"Verzending opnieuw gestart",this_week:"Deze week",total:"Totaal",hours:"{hours} u",week_failed:"De uren van deze week konden niet worden geladen: {message}",editor_mode:"Modus",mode_kiosk:"Tablet bij de deur: een tegel per medewerker",mode_admin:"Beheer: verzending en uren van deze week",editor_title:"Titel",editor_accounts:"Accounts",editor_accounts_helper:"Niets gekozen: alle accounts.",editor_employees:"Medewerkers",editor_employees_helper:"Niemand gekozen: alle medewerkers van de accounts."},ot={on_shift:"En service",off_shift:"Hors service",state_unknown:"Inconnu",since:"depuis {time}",worked_today:"Aujourd'hui {duration}",duration_hours:"{hours} h {minutes} min",duration_minutes:"{minutes} min",confirm_clock_in:"Pointer l'arrivée de {name} ?",confirm_clock_out:"Pointer le départ de {name} ?",clock_in:"Arrivée",clock_out:"Départ",cancel:"Annuler",working:"Un instant…",clocked_in:"Arrivée pointée à {time}",clocked_out:"Départ pointé à {time}",failed:"Non enregistré : {message}",failed_no_message:"Non enregistré. Réessayez.",pending_one:"{count} pointage en attente d'envoi",pending_other:"{count} pointages en attente d'envoi",rejected:"Refusé par le système : {message}",no_accounts:"Aucun compte Time Clock à afficher.",no_employees:"Aucun employé à afficher. Ajoutez-les au compte dans Paramètres → Appareils et services → Time Clock.",load_failed:"Impossible de charger les comptes Time Clock : {message}",backend_local:"Registre local",waiting_label:"Pointages en attente",backend_label:"Système",reachable:"Joignable",unreachable:"Injoignable",last_delivery_label:"Dernier envoi",never:"Jamais",failed_label:"Pointages refusés",open_repairs:"Ouvrir les réparations",retry:"Renvoyer",retry_done:"Envoi relancé",this_week:"Cette semaine",total:"Total",hours:"{hours} h",week_failed:"Impossible de charger les heures de la semaine : {message}",editor_mode:"Mode",mode_kiosk:"Tablette à l'entrée : une tuile par employé",mode_admin:"Administration : envois et heures de la semaine",editor_title:"Titre",editor_accounts:"Comptes",editor_accounts_helper:"Aucun choisi : tous les comptes.",editor_employees:"Employés",editor_employees_helper:"Aucun choisi : tous les employés des comptes."},it={on_shift:"W pracy",off_shift:"Poza pracą",state_unknown:"Nieznany",since:"od {time}",worked_today:"Dziś {duration}",duration_hours:"{hours} godz. {minutes} min",duration_minutes:"{minutes} min",confirm_clock_in:"Rozpocząć pracę: {name}?",confirm_clock_out:"Zakończyć pracę: {name}?",clock_in:"Wejście",clock_out:"Wyjście",cancel:"Anuluj",working:"Chwileczkę…",clocked_in:"Wejście o {time}",clocked_out:"Wyjście o {time}",failed:"Nie zapisano: {message}",failed_no_message:"Nie zapisano. Spróbuj ponownie.",pending_one:"{count} odbicie czeka na wysłanie",pending_few:"{count} odbicia czekają na wysłanie",pending_many:"{count} odbić czeka na wysłanie",pending_other:"{count} odbicia czeka na wysłanie",rejected:"Odrzucone przez system: {message}",no_accounts:"Brak kont Time Clock do pokazania.",no_employees:"Brak pracowników do pokazania. Dodaj ich do konta w Ustawienia → Urządzenia i usługi → Time Clock.",load_failed:"Nie udało się wczytać kont Time Clock: {message}",backend_local:"Rejestr lokalny",waiting_label:"Oczekujące odbicia",backend_label:"System",reachable:"Dostępny",unreachable:"Niedostępny",last_delivery_label:"Ostatnie wysłanie",never:"Nigdy",failed_label:"Odrzucone odbicia",open_repairs:"Otwórz naprawy",retry:"Wyślij ponownie",retry_done:"Wysyłanie wznowione",this_week:"Ten tydzień",total:"Razem",hours:"{hours} godz.",week_failed:"Nie udało się wczytać godzin z tego tygodnia: {message}",editor_mode:"Tryb",mode_kiosk:"Tablet przy wejściu: kafelek dla każdego pracownika",mode_admin:"Administracja: wysyłanie i godziny z tego tygodnia",editor_title:"Tytuł",editor_accounts:"Konta",editor_accounts_helper:"Nic nie wybrano: wszystkie konta.",editor_employees:"Pracownicy",editor_employees_helper:"Nikogo nie wybrano: wszyscy pracownicy kont."},rt={on_shift:"En turno",off_shift:"Fuera de turno",state_unknown:"Desconocido",since:"desde las {time}",worked_today:"Hoy {duration}",duration_hours:"{hours} h {minutes} min",duration_minutes:"{minutes} min",confirm_clock_in:"¿Fichar la entrada de {name}?",confirm_clock_out:"¿Fichar la salida de {name}?",clock_in:"Entrada",clock_out:"Salida",cancel:"Cancelar",working:"Un momento…",clocked_in:"Entrada fichada a las {time}",clocked_out:"Salida fichada a las {time}",failed:"No registrado: {message}",failed_no_message:"No registrado. Inténtalo de nuevo.",pending_one:"{count} fichaje pendiente de envío",pending_other:"{count} fichajes pendientes de envío",rejected:"Rechazado por el sistema: {message}",no_accounts:"No hay cuentas de Time Clock que mostrar.",no_employees:"No hay empleados que mostrar. Añádelos a la cuenta en Ajustes → Dispositivos y servicios → Time Clock.",load_failed:"No se pudieron cargar las cuentas de Time Clock: {message}",backend_local:"Registro local",waiting_label:"Fichajes pendientes",backend_label:"Sistema",reachable:"Accesible",unreachable:"No accesible",last_delivery_label:"Último envío",never:"Nunca",failed_label:"Fichajes rechazados",open_repairs:"Abrir reparaciones",retry:"Reintentar envío",retry_done:"Envío reintentado",this_week:"Esta semana",total:"Total",hours:"{hours} h",week_failed:"No se pudieron cargar las horas de esta semana: {message}",editor_mode:"Modo",mode_kiosk:"Tableta en la puerta: un recuadro por empleado",mode_admin:"Administración: envíos y horas de esta semana",editor_title:"Título",editor_accounts:"Cuentas",editor_accounts_helper:"Ninguna elegida: todas las cuentas.",editor_employees:"Empleados",editor_employees_helper:"Ninguno elegido: todos los empleados de las cuentas."},B={en:tt,de:st,nl:nt,fr:ot,pl:it,es:rt};function Te(o){let e=(o??"en").toLowerCase().split(/[-_]/)[0]??"en";return e in B?e:"en"}function at(o){return o.locale?.time_zone==="local"?void 0:o.config.time_zone}function ct(o){let e=o.locale?.time_format;return e==="12"?{hourCycle:"h12"}:e==="24"?{hourCycle:"h23"}:{}}function T(o){let e=o.locale?.language??o.language,t=Te(e),s=B[t]??{},n=B.en??{},i=at(o),r=e&&Te(e)===t?e:t,l={timeZone:i,hour:"2-digit",minute:"2-digit",...ct(o)},c=new Intl.DateTimeFormat(r,l),a=new Intl.DateTimeFormat(r,{...l,weekday:"short"}),u=new Intl.DateTimeFormat(r,{timeZone:"UTC",weekday:"short"}),p=new Intl.NumberFormat(r,{maximumFractionDigits:1}),f=new Intl.PluralRules(r),_=(m,b={})=>(s[m]??n[m]??m).replace(/\{(\w+)\}/g,(y,R)=>R in b?String(b[R]):y);return{language:t,t:_,plural:(m,b)=>{let y=`${m}_${f.select(b)}`;return _(y in s||y in n?y:`${m}_other`,{count:b})},time:m=>c.format(m),dateTime:m=>a.format(m),duration:m=>{let b=Math.max(0,Math.round(m*60)),y=Math.floor(b/60),R=String(b%60).padStart(y?2:1,"0");return y?_("duration_hours",{hours:y,minutes:R}):_("duration_minutes",{minutes:R})},hours:m=>_("hours",{hours:p.format(m)}),weekday:m=>u.format(new Date(`${m}T12:00:00Z`))}}var ze={calamari:"Calamari Clockin",sonoran:"SonoranCMS",protime:"Protime",tracktik:"TrackTik"};function Re(o,e){let t=new Set(e.accounts??[]),s=new Set(e.employees??[]);return o.filter(n=>!t.size||t.has(n.entry_id)).map(n=>({...n,employees:n.employees.filter(i=>!s.size||s.has(i.employee_id))}))}function Ne(o){let e=[];for(let t of o){e.push(...Object.values(t.entities));for(let s of t.employees)e.push(s.entities.on_shift,s.entities.worked_today)}return e.filter(t=>!!t)}function Me(o,e,t){return e?o.some(s=>e.states[s]!==t.states[s]):!0}function ae(o){return!o||o.state===""||Number.isNaN(Number(o.state))?null:Number(o.state)}function Pe(o){if(typeof o!="string"||!o)return null;let e=new Date(o);return Number.isNaN(e.getTime())?null:e}function lt(o){if(!o||typeof o!="object")return null;let e=o;return typeof e.message!="string"||!e.message?null:{code:String(e.code??""),message:e.message,time:String(e.time??""),action:String(e.action??"")}}function De(o,e){let t=o.entities.on_shift?e[o.entities.on_shift]:void 0,s=o.entities.worked_today?e[o.entities.worked_today]:void 0,n=t?.state==="on"?"on":t?.state==="off"?"off":"unknown",i=Number(t?.attributes.pending_punches??0);return{employeeId:o.employee_id,deviceId:o.device_id,name:o.name,state:n,since:n==="on"?Pe(t?.attributes.shift_start):null,workedHours:ae(s),pending:Number.isFinite(i)&&i>0?i:0,rejection:lt(t?.attributes.last_rejection)}}function Oe(o,e){let t=i=>i?e[i]:void 0,s=t(o.entities.backend_reachable)?.state,n=t(o.entities.last_delivery)?.state??o.status?.last_delivery;return{pending:ae(t(o.entities.pending_punches)),failed:ae(t(o.entities.failed_punches)),reachable:s==="on"?"on":s==="off"?"off":"unknown",lastDelivery:Pe(n)}}function dt(o,e){return new Intl.DateTimeFormat("en-CA",{timeZone:e,year:"numeric",month:"2-digit",day:"2-digit"}).format(o)}function ce(o,e){let t=new Date(`${o}T12:00:00Z`);return t.setUTCDate(t.getUTCDate()+e),t.toISOString().slice(0,10)}function He(o,e){let t=dt(o,e),s=(new Date(`${t}T12:00:00Z`).getUTCDay()+6)%7,n=ce(t,-s);return{start:n,end:ce(n,6)}}function le(o,e){let t=new Map((o?.days??[]).map(s=>[s.date,s]));return Array.from({length:7},(s,n)=>{let i=ce(e,n),r=t.get(i);return{date:i,hours:(r?.worked_seconds??0)/3600,open:r?.open??!1}})}function Ie(o){return Math.max(8,...o.flat().map(e=>e.hours))}function de(o){return o.state==="on"?"clock_out":"clock_in"}function C(o){if(o&&typeof o=="object"&&"message"in o){let e=o.message;if(typeof e=="string"&&e)return e}return typeof o=="string"&&o?o:""}var Ue=G`
  :host {
    display: block;
    --tc-on: var(--success-color, #43a047);
    --tc-off: var(--secondary-text-color, #727272);
    --tc-error: var(--error-color, #db4437);
    --tc-warning: var(--warning-color, #ffa600);
    --tc-gap: 12px;
  }
  ha-card {
    padding: 16px;
    box-sizing: border-box;
    height: 100%;
  }
  h1.title {
    margin: 0 0 12px;
    font-size: 1.5rem;
    font-weight: 400;
    color: var(--primary-text-color);
  }
  .message {
    color: var(--secondary-text-color);
    margin: 8px 0;
  }
  .message.error {
    color: var(--tc-error);
  }
  .tiles {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr));
    gap: var(--tc-gap);
  }
  .tile {
    all: unset;
    box-sizing: border-box;
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-height: 132px;
    padding: 16px;
    border-radius: var(--ha-card-border-radius, 12px);
    border: 2px solid var(--divider-color, #e0e0e0);
    border-left: 8px solid var(--tc-off);
    background: var(--secondary-background-color, #f5f5f5);
    color: var(--primary-text-color);
    cursor: pointer;
    touch-action: manipulation;
    -webkit-tap-highlight-color: transparent;
    contain: content;
  }
  .tile:focus-visible {
    outline: 3px solid var(--primary-color);
    outline-offset: 2px;
  }
  .tile:active {
    transform: scale(0.98);
  }
  .tile.on {
    border-left-color: var(--tc-on);
  }
  .tile[aria-busy="true"] {
    opacity: 0.7;
    cursor: progress;
  }
  .name {
    font-size: 1.35rem;
    font-weight: 500;
    line-height: 1.25;
    overflow-wrap: anywhere;
  }
  .status {
    font-size: 1.05rem;
    font-weight: 500;
    color: var(--tc-off);
  }
  .on .status {
    color: var(--tc-on);
  }
  .detail {
    color: var(--secondary-text-color);
    font-size: 0.95rem;
  }
  .note {
    font-size: 0.9rem;
    border-radius: 6px;
    padding: 4px 8px;
    margin-top: 4px;
  }
  .note.pending {
    background: color-mix(in srgb, var(--tc-warning) 18%, transparent);
  }
  .note.error {
    background: color-mix(in srgb, var(--tc-error) 16%, transparent);
    color: var(--primary-text-color);
  }
  .note.ok {
    background: color-mix(in srgb, var(--tc-on) 18%, transparent);
  }
  .backdrop {
    position: fixed;
    inset: 0;
    z-index: 10;
    display: flex;
    align-items: center;
    justify-content: center;
    padding: 16px;
    background: rgba(0, 0, 0, 0.45);
  }
  .dialog {
    width: min(100%, 460px);
    box-sizing: border-box;
    padding: 24px;
    border-radius: var(--ha-dialog-border-radius, 24px);
    background: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--primary-text-color);
    box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);
  }
  .question {
    font-size: 1.5rem;
    margin: 0 0 24px;
    line-height: 1.3;
  }
  .actions {
    display: flex;
    gap: 12px;
  }
  .actions button,
  .retry {
    all: unset;
    box-sizing: border-box;
    flex: 1;
    min-height: 56px;
    padding: 0 16px;
    border-radius: 28px;
    text-align: center;
    font-size: 1.1rem;
    font-weight: 500;
    cursor: pointer;
    touch-action: manipulation;
  }
  .actions button:focus-visible,
  .retry:focus-visible {
    outline: 3px solid var(--primary-color);
    outline-offset: 2px;
  }
  .actions .cancel {
    background: var(--secondary-background-color, #f0f0f0);
    color: var(--primary-text-color);
  }
  .actions .confirm {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .account + .account {
    margin-top: 24px;
    padding-top: 16px;
    border-top: 1px solid var(--divider-color, #e0e0e0);
  }
  .account h2 {
    margin: 0 0 8px;
    font-size: 1.2rem;
    font-weight: 500;
  }
  .backend {
    color: var(--secondary-text-color);
    font-weight: 400;
    font-size: 0.95rem;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
    gap: 8px 16px;
    margin: 0 0 12px;
  }
  .stats div {
    display: flex;
    flex-direction: column;
  }
  .stats dt {
    color: var(--secondary-text-color);
    font-size: 0.85rem;
  }
  .stats dd {
    margin: 0;
    font-size: 1.05rem;
  }
  .bad {
    color: var(--tc-error);
  }
  .good {
    color: var(--tc-on);
  }
  a {
    color: var(--primary-color);
  }
  .retry {
    flex: none;
    min-height: 40px;
    border-radius: 20px;
    font-size: 0.95rem;
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .retry[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  .retry-row {
    display: flex;
    align-items: center;
    gap: 12px;
    flex-wrap: wrap;
  }
  h3 {
    margin: 16px 0 8px;
    font-size: 1rem;
    font-weight: 500;
  }
  .week {
    display: grid;
    grid-template-columns: minmax(90px, 1.4fr) repeat(7, minmax(30px, 1fr)) minmax(52px, auto);
    gap: 2px 6px;
    align-items: end;
    font-size: 0.8rem;
  }
  .week .head {
    color: var(--secondary-text-color);
    text-align: center;
  }
  .week .who {
    align-self: center;
    font-size: 0.95rem;
    overflow-wrap: anywhere;
  }
  .day {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 2px;
  }
  .bar {
    width: 70%;
    max-width: 22px;
    min-height: 2px;
    border-radius: 3px 3px 0 0;
    background: var(--primary-color);
  }
  .bar.open {
    background: var(--tc-on);
  }
  .bar-box {
    height: 64px;
    display: flex;
    align-items: flex-end;
    justify-content: center;
    width: 100%;
  }
  .num {
    color: var(--secondary-text-color);
    font-variant-numeric: tabular-nums;
  }
  .sum {
    align-self: center;
    text-align: right;
    font-weight: 500;
    font-variant-numeric: tabular-nums;
  }
`;var F="time_clock",ht=2e4,je=5e3,Le=3e4,ut=6e4,pt=1e3;function mt(o){history.pushState(null,"",o),window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}}))}var z=class extends g{constructor(){super();this._shown=[];this._watched=[];this._timers=new Map;this._config={type:"custom:time-clock-card"},this._results=new Map,this._week=new Map,this._retry=new Map}static getConfigElement(){return document.createElement("time-clock-card-editor")}static getStubConfig(){return{mode:"kiosk"}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");if(t.mode&&t.mode!=="kiosk"&&t.mode!=="admin")throw new Error(`Unknown mode: ${String(t.mode)}`);this._config={...t},this._select(),this.hass&&this.isConnected&&(this._start(),this._loadWeek())}getCardSize(){let t=this._shown.reduce((s,n)=>s+n.employees.length,0);return this._config.mode==="admin"?2+this._shown.length*3+t:1+Math.ceil(Math.max(t,1)/2)*3}getGridOptions(){return{columns:12,min_columns:6}}connectedCallback(){super.connectedCallback(),this.hass&&this._start()}disconnectedCallback(){super.disconnectedCallback(),this._stop()}shouldUpdate(t){if(t.size>1||!t.has("hass"))return!0;let s=t.get("hass"),n=this.hass;return n?Me(this._watched,s,n)||s?.locale!==n.locale||s?.language!==n.language||s?.themes?.darkMode!==n.themes?.darkMode:!1}willUpdate(t){t.has("hass")&&this.hass&&!t.get("hass")&&this._start()}_start(){!this.hass||!this.isConnected||(!this._accounts&&!this._loading&&this._load(),this._unsubscribe||(this._unsubscribe=this.hass.connection.subscribeEvents(()=>this._scheduleReload(),"device_registry_updated").catch(()=>()=>{})),this._config.mode==="admin"&&!this._weekTimer&&(this._weekTimer=setInterval(()=>{this._loadWeek()},ut)))}_stop(){this._unsubscribe?.then(t=>t()),this._unsubscribe=void 0,clearInterval(this._weekTimer),this._weekTimer=void 0,clearTimeout(this._reloadTimer);for(let t of this._timers.values())clearTimeout(t);this._timers.clear()}_scheduleReload(){clearTimeout(this._reloadTimer),this._reloadTimer=setTimeout(()=>{this._load()},pt)}_load(){let t=this.hass;return t?(this._loading=(async()=>{try{let s=await t.callWS({type:`${F}/accounts`});this._accounts=s.accounts,this._loadError=void 0}catch(s){this._loadError=C(s)||String(s)}finally{this._loading=void 0}this._select(),this._config.mode==="admin"&&await this._loadWeek()})(),this._loading):Promise.resolve()}_select(){this._shown=Re(this._accounts??[],this._config),this._watched=Ne(this._shown)}async _loadWeek(){let t=this.hass;if(!t||this._config.mode!=="admin")return;let{start:s,end:n}=He(new Date,t.config.time_zone),i=this._config.employees?.length?this._config.employees:void 0,r=await Promise.all(this._shown.map(async l=>{try{let c=await t.callWS({type:`${F}/timesheet`,start:s,end:n,entry_id:l.entry_id,...i?{employees:i}:{}});return[l.entry_id,{start:s,timesheet:c}]}catch(c){return[l.entry_id,{start:s,error:C(c)||String(c)}]}}));this._week=new Map(r)}_show(t,s,n,i){let r=new Map(this[t]);n?r.set(s,n):r.delete(s),this[t]=r;let l=`${t}:${s}`;clearTimeout(this._timers.get(l)),this._timers.delete(l),n&&i&&this._timers.set(l,setTimeout(()=>this._show(t,s,void 0),i))}_ask(t){this._results.get(t.employeeId)?.kind!=="busy"&&(this._confirm=t,clearTimeout(this._timers.get("confirm")),this._timers.set("confirm",setTimeout(()=>this._confirm=void 0,ht)))}_cancel(){clearTimeout(this._timers.get("confirm")),this._confirm=void 0}async _punch(t){let s=this.hass;if(this._cancel(),!s)return;let n=T(s),i=de(t);this._show("_results",t.employeeId,{kind:"busy",text:n.t("working")});try{await s.callService(F,"punch",{},{device_id:t.deviceId},!1);let r=i==="clock_in"?"clocked_in":"clocked_out";this._show("_results",t.employeeId,{kind:"ok",action:i,text:n.t(r,{time:n.time(new Date)})},je)}catch(r){let l=C(r);this._show("_results",t.employeeId,{kind:"error",text:l?n.t("failed",{message:l}):n.t("failed_no_message")},Le)}}async _retryAccount(t){let s=this.hass;if(!s)return;let n=T(s);this._show("_retry",t.entry_id,{kind:"busy",text:n.t("working")});try{await s.callService(F,"retry",{account:t.entry_id},void 0,!1),this._show("_retry",t.entry_id,{kind:"ok",text:n.t("retry_done")},je),await this._loadWeek()}catch(i){let r=C(i);this._show("_retry",t.entry_id,{kind:"error",text:r?n.t("failed",{message:r}):n.t("failed_no_message")},Le)}}render(){if(!this.hass)return d;let t=T(this.hass);return h`<ha-card lang=${t.language}>
      ${this._config.title?h`<h1 class="title">${this._config.title}</h1>`:d}
      ${this._renderBody(t)}
    </ha-card>`}_renderBody(t){if(this._loadError)return h`<p class="message error">${t.t("load_failed",{message:this._loadError})}</p>`;if(!this._accounts)return h`<p class="message">${t.t("working")}</p>`;if(!this._shown.length)return h`<p class="message">${t.t("no_accounts")}</p>`;if(this._config.mode==="admin")return h`${this._shown.map(i=>this._renderAccount(i,t))}`;let s=this._shown.flatMap(i=>i.employees);if(!s.length)return h`<p class="message">${t.t("no_employees")}</p>`;let n=this.hass?.states??{};return h`<div class="tiles">
        ${s.map(i=>this._renderTile(De(i,n),t))}
      </div>
      ${this._confirm?this._renderConfirm(this._confirm,t):d}`}_renderTile(t,s){let n=this._results.get(t.employeeId),i=n?.kind==="ok"?n.action==="clock_in"?"on":"off":t.state,r=i==="on"?s.t("on_shift"):i==="off"?s.t("off_shift"):s.t("state_unknown");return h`<button
      class="tile ${i}"
      data-employee=${t.employeeId}
      aria-busy=${n?.kind==="busy"?"true":"false"}
      @click=${()=>this._ask(t)}
    >
      <span class="name">${t.name}</span>
      <span class="status">${r}</span>
      ${i==="on"&&t.since&&n?.kind!=="ok"?h`<span class="detail since">${s.t("since",{time:s.time(t.since)})}</span>`:d}
      ${t.workedHours!==null?h`<span class="detail worked"
            >${s.t("worked_today",{duration:s.duration(t.workedHours)})}</span
          >`:d}
      ${t.pending?h`<span class="note pending">${s.plural("pending",t.pending)}</span>`:d}
      ${t.rejection?h`<span class="note error rejection"
            >${s.t("rejected",{message:t.rejection.message})}</span
          >`:d}
      ${n?h`<span class="note result ${n.kind}" role="status">${n.text}</span>`:d}
    </button>`}_renderConfirm(t,s){let n=de(t),i=s.t(n==="clock_in"?"confirm_clock_in":"confirm_clock_out",{name:t.name});return h`<div class="backdrop" @click=${()=>this._cancel()}>
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-label=${i}
        @click=${r=>r.stopPropagation()}
      >
        <p class="question">${i}</p>
        <div class="actions">
          <button class="cancel" @click=${()=>this._cancel()}>${s.t("cancel")}</button>
          <button class="confirm" @click=${()=>{this._punch(t)}}>
            ${s.t(n)}
          </button>
        </div>
      </div>
    </div>`}_renderAccount(t,s){let n=Oe(t,this.hass?.states??{}),i=this._retry.get(t.entry_id),r=n.reachable==="on"?h`<span class="good">${s.t("reachable")}</span>`:n.reachable==="off"?h`<span class="bad">${s.t("unreachable")}</span>`:s.t("state_unknown");return h`<section class="account" data-account=${t.entry_id}>
      <h2>
        ${t.title}
        <span class="backend"
          >${t.backend==="local"?s.t("backend_local"):ze[t.backend]??t.backend}</span
        >
      </h2>
      <dl class="stats">
        <div>
          <dt>${s.t("waiting_label")}</dt>
          <dd class="pending">${n.pending??"—"}</dd>
        </div>
        <div>
          <dt>${s.t("backend_label")}</dt>
          <dd class="reachable">${r}</dd>
        </div>
        <div>
          <dt>${s.t("last_delivery_label")}</dt>
          <dd class="last-delivery">
            ${n.lastDelivery?s.dateTime(n.lastDelivery):s.t("never")}
          </dd>
        </div>
        <div>
          <dt>${s.t("failed_label")}</dt>
          <dd class="failed">
            <span class=${n.failed?"bad":""}>${n.failed??"—"}</span>
            ${n.failed?h` ·
                  <a
                    href="/config/repairs"
                    @click=${l=>{l.preventDefault(),mt("/config/repairs")}}
                    >${s.t("open_repairs")}</a
                  >`:d}
          </dd>
        </div>
      </dl>
      <div class="retry-row">
        <button
          class="retry"
          ?disabled=${i?.kind==="busy"}
          @click=${()=>{this._retryAccount(t)}}
        >
          ${s.t("retry")}
        </button>
        ${i&&i.kind!=="busy"?h`<span class="note ${i.kind}" role="status">${i.text}</span>`:d}
      </div>
      ${this._renderWeek(t,s)}
    </section>`}_renderWeek(t,s){let n=this._week.get(t.entry_id);if(!n)return h`<h3>${s.t("this_week")}</h3>`;if(n.error)return h`<h3>${s.t("this_week")}</h3>
        <p class="message error">${s.t("week_failed",{message:n.error})}</p>`;let i=new Map((n.timesheet?.employees??[]).map(a=>[a.employee_id,a])),r=t.employees.map(a=>({employee:a,bars:le(i.get(a.employee_id),n.start),total:(i.get(a.employee_id)?.total_seconds??0)/3600})),l=Ie(r.map(a=>a.bars)),c=r[0]?.bars??le(void 0,n.start);return h`<h3>${s.t("this_week")}</h3>
      <div class="week" role="table">
        <span></span>
        ${c.map(a=>h`<span class="head">${s.weekday(a.date)}</span>`)}
        <span class="head">${s.t("total")}</span>
        ${r.map(a=>h`<span class="who">${a.employee.name}</span>
            ${a.bars.map(u=>h`<span class="day" title=${`${s.weekday(u.date)} ${u.date}`}>
                <span class="bar-box"
                  ><span
                    class="bar ${u.open?"open":""}"
                    style="height: ${Math.round(u.hours/l*100)}%"
                  ></span
                ></span>
                <span class="num">${u.hours?s.hours(u.hours):"–"}</span>
              </span>`)}
            <span class="sum" data-employee=${a.employee.employee_id}
              >${s.hours(a.total)}</span
            >`)}
      </div>`}};z.styles=Ue,z.properties={hass:{attribute:!1},_config:{state:!0},_accounts:{state:!0},_loadError:{state:!0},_confirm:{state:!0},_results:{state:!0},_week:{state:!0},_retry:{state:!0}};function _t(o,e,t){let s=new Set(e.accounts??[]),n=o.filter(i=>!s.size||s.has(i.entry_id)).flatMap(i=>i.employees.map(r=>({value:r.employee_id,label:o.length>1?`${r.name} (${i.title})`:r.name})));return[{name:"mode",selector:{select:{mode:"list",options:[{value:"kiosk",label:t.t("mode_kiosk")},{value:"admin",label:t.t("mode_admin")}]}}},{name:"title",selector:{text:{}}},{name:"accounts",selector:{select:{multiple:!0,mode:"list",options:o.map(i=>({value:i.entry_id,label:i.title}))}}},{name:"employees",selector:{select:{multiple:!0,mode:"list",options:n}}}]}function ft(o,e,t){let s={...o,type:o.type||"custom:time-clock-card"};s.mode=e.mode==="admin"?"admin":"kiosk";let n=typeof e.title=="string"?e.title.trim():"";n?s.title=n:delete s.title;let i=new Set(t.map(a=>a.entry_id)),r=Array.isArray(e.accounts)?e.accounts.filter(a=>typeof a=="string"&&i.has(a)):[];r.length?s.accounts=r:delete s.accounts;let l=new Set(t.filter(a=>!r.length||r.includes(a.entry_id)).flatMap(a=>a.employees.map(u=>u.employee_id))),c=Array.isArray(e.employees)?e.employees.filter(a=>typeof a=="string"&&l.has(a)):[];return c.length?s.employees=c:delete s.employees,s}var U=class extends g{constructor(){super(...arguments);this._loading=!1}setConfig(t){this._config={...t}}connectedCallback(){super.connectedCallback(),gt()}willUpdate(){this.hass&&!this._accounts&&!this._loading&&!this._error&&this._load()}async _load(){if(this.hass){this._loading=!0;try{let t=await this.hass.callWS({type:"time_clock/accounts"});this._accounts=t.accounts}catch(t){this._error=C(t)||String(t)}finally{this._loading=!1}}}_changed(t){t.stopPropagation(),this._config&&(this._config=ft(this._config,t.detail.value,this._accounts??[]),this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:this._config},bubbles:!0,composed:!0})))}render(){if(!this.hass||!this._config)return d;let t=T(this.hass);if(this._error)return h`<p class="error">${t.t("load_failed",{message:this._error})}</p>`;let s={mode:"kiosk",accounts:[],employees:[],...this._config};return h`<ha-form
      .hass=${this.hass}
      .data=${s}
      .schema=${_t(this._accounts??[],this._config,t)}
      .computeLabel=${n=>t.t(`editor_${n.name}`)}
      .computeHelper=${n=>n.name==="accounts"||n.name==="employees"?t.t(`editor_${n.name}_helper`):void 0}
      @value-changed=${this._changed}
    ></ha-form>`}};U.properties={hass:{attribute:!1},_config:{state:!0},_accounts:{state:!0},_error:{state:!0}};async function gt(){if(customElements.get("ha-form"))return;await(await window.loadCardHelpers?.())?.createCardElement({type:"entities",entities:[]})?.constructor?.getConfigElement?.()}customElements.get("time-clock-card")||customElements.define("time-clock-card",z);customElements.get("time-clock-card-editor")||customElements.define("time-clock-card-editor",U);var V=window;V.customCards=V.customCards??[];V.customCards.some(o=>o.type==="time-clock-card")||V.customCards.push({type:"time-clock-card",name:"Time Clock",description:"Door tablet: employees clock in and out with a tap; admin view of delivery and this week's hours.",preview:!1,documentationURL:"https://github.com/time-clock/time_clock#door-tablet-card"});
